// Blob storage for uploaded files (appeal photos first). Services see only BlobStore; today the
// files live under <dataDir>/blobs/, and an S3-compatible store can implement the same three
// methods later (its key is the object key, its content type the object's Content-Type).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.ts';

export interface StoredBlob {
  data: Buffer;
  contentType: string;
}

export interface BlobStore {
  /** Stores data under key, replacing any blob already there. The blob appears whole or not at all. */
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The blob, or null when no blob has this key. */
  get(key: string): Promise<StoredBlob | null>;
  /** Removes the blob; removing a missing blob is not an error. */
  delete(key: string): Promise<void>;
}

/** A key or content type a store refuses: a programming error or a forged key, never user data. */
export class BlobKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobKeyError';
  }
}

/**
 * Safe keys: lower-case letters, digits, '.', '_' and '-', 4 to 200 characters, starting with a
 * letter or digit, no '..'. No separators, so a key can never name a path outside the store (and
 * lower case only, so keys cannot collide on case-insensitive file systems).
 */
const KEY = /^[a-z0-9][a-z0-9._-]{3,199}$/;
/** `type/subtype` with optional parameters; no control characters (it is stored in a header line). */
const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+(?:\s*;[\x20-\x7e]*)?$/;

export function isSafeBlobKey(key: string): boolean {
  return KEY.test(key) && !key.includes('..');
}

export function assertSafeBlobKey(key: string): void {
  if (typeof key !== 'string' || !isSafeBlobKey(key)) throw new BlobKeyError(`Unsafe blob key ${JSON.stringify(key)}.`);
}

/**
 * File format: the magic line `GZB1 <content type>\n`, then the bytes as given. One file per blob
 * keeps each put a single atomic rename (no sidecar to fall out of step with the data).
 */
const MAGIC = 'GZB1 ';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Blobs as files under rootDir, sharded by the key's first four characters
 * (`ab/cd/abcd….jpg`), so no folder grows past 65,536 entries of random keys. Writes go to
 * `<rootDir>/.tmp/` (a name no key can take) and are fsynced, then renamed into place.
 */
export class FileBlobStore implements BlobStore {
  readonly rootDir: string;

  constructor(rootDir: string) {
    this.rootDir = path.resolve(rootDir);
  }

  /** The file that holds key; refuses unsafe keys. */
  pathFor(key: string): string {
    assertSafeBlobKey(key);
    const file = path.join(this.rootDir, key.slice(0, 2), key.slice(2, 4), key);
    // Belt and braces: the pattern already rules out separators and '..'.
    if (!file.startsWith(this.rootDir + path.sep)) throw new BlobKeyError(`Unsafe blob key ${JSON.stringify(key)}.`);
    return file;
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const file = this.pathFor(key);
    if (!CONTENT_TYPE.test(contentType) || contentType.length > 200) {
      throw new BlobKeyError(`Unsafe content type ${JSON.stringify(contentType)}.`);
    }
    const tmpDir = path.join(this.rootDir, '.tmp');
    await Promise.all([fs.mkdir(path.dirname(file), { recursive: true }), fs.mkdir(tmpDir, { recursive: true })]);
    const tmp = path.join(tmpDir, `${key}.${randomBytes(6).toString('hex')}`);
    const handle = await fs.open(tmp, 'wx', 0o640);
    try {
      try {
        await handle.writeFile(Buffer.concat([Buffer.from(`${MAGIC}${contentType}\n`, 'latin1'), data]));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<StoredBlob | null> {
    const file = this.pathFor(key);
    let raw: Buffer;
    try {
      raw = await fs.readFile(file);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    const newline = raw.indexOf(0x0a);
    if (newline < 0 || raw.toString('latin1', 0, MAGIC.length) !== MAGIC) {
      throw new Error(`Blob ${key} is not in the store's format.`);
    }
    return { contentType: raw.toString('latin1', MAGIC.length, newline), data: raw.subarray(newline + 1) };
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathFor(key), { force: true });
  }
}

/** The configured store: files under `<dataDir>/blobs/`. */
export function blobStoreFor(config: Pick<Config, 'dataDir'>): BlobStore {
  return new FileBlobStore(path.join(config.dataDir, 'blobs'));
}

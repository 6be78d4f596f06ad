// Saving and reading appeal photos. Photos are checked and stripped on the way in and only the
// stripped bytes are stored (see photo.ts), so whatever readPhoto returns is safe to hand out.
//
// Blobs are written before the caller's database transaction: a photo that fails its checks
// refuses the request before anything is written. If the transaction then fails, call
// deletePhotos with the keys so no orphan stays behind.
import { randomBytes } from 'node:crypto';
import { AppError, notFound } from '../../../errors.ts';
import type { BlobStore } from '../../../lib/storage/blob-store.ts';
import { inspectPhoto, photoExtension, stripLocation, type PhotoMime } from './photo.ts';

/** What an appeal_attachments row records about a stored photo. */
export interface SavedPhoto {
  storageKey: string;
  mime: PhotoMime;
  /** Size of the stored (stripped) file. */
  bytes: number;
  width: number;
  height: number;
}

export interface PhotoFile {
  data: Buffer;
  mime: PhotoMime;
}

/** Photo keys are 32 random hex digits and the extension of the type: `3f9c…e1.jpg`. */
const PHOTO_KEY = /^[0-9a-f]{32}\.(jpg|png|webp)$/;

export function isPhotoKey(key: string): boolean {
  return PHOTO_KEY.test(key);
}

function prepare(data: Buffer): { clean: Buffer; saved: SavedPhoto } {
  const { mime, width, height } = inspectPhoto(data);
  const clean = stripLocation(data, mime);
  const storageKey = `${randomBytes(16).toString('hex')}.${photoExtension[mime]}`;
  return { clean, saved: { storageKey, mime, bytes: clean.length, width, height } };
}

/** Checks (413/415), strips the metadata and stores one photo under a new random key. */
export async function savePhoto(store: BlobStore, data: Buffer): Promise<SavedPhoto> {
  const { clean, saved } = prepare(data);
  await store.put(saved.storageKey, clean, saved.mime);
  return saved;
}

/**
 * Several photos, all or nothing: every photo is checked before any is stored, and an error names
 * the photo at fault (`field` is `<field>/<index>`). If storing fails, those already stored go.
 */
export async function savePhotos(store: BlobStore, photos: Buffer[], field = 'photos'): Promise<SavedPhoto[]> {
  const prepared = photos.map((data, index) => {
    try {
      return prepare(data);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const message = photos.length > 1 ? `Photo ${index + 1}: ${error.message}` : error.message;
      throw new AppError(error.code, message, [{ field: `${field}/${index}`, message: error.message }]);
    }
  });
  const stored: string[] = [];
  try {
    for (const { clean, saved } of prepared) {
      await store.put(saved.storageKey, clean, saved.mime);
      stored.push(saved.storageKey);
    }
  } catch (error) {
    await deletePhotos(store, stored);
    throw error;
  }
  return prepared.map((p) => p.saved);
}

/** A stored photo; not_found for a missing photo or a key that is not a photo key. */
export async function readPhoto(store: BlobStore, key: string): Promise<PhotoFile> {
  if (!isPhotoKey(key)) throw notFound('Photo');
  const blob = await store.get(key);
  if (!blob) throw notFound('Photo');
  return { data: blob.data, mime: blob.contentType as PhotoMime };
}

/** Removes stored photos (cleanup after a failed transaction, or a deleted attachment). */
export async function deletePhotos(store: BlobStore, keys: string[]): Promise<void> {
  await Promise.allSettled(keys.filter(isPhotoKey).map((key) => store.delete(key)));
}

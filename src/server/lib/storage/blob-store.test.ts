import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BlobKeyError, blobStoreFor, FileBlobStore, isSafeBlobKey } from './blob-store.ts';

describe('FileBlobStore', () => {
  let dir: string;
  let store: FileBlobStore;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gz-blobs-'));
    store = new FileBlobStore(path.join(dir, 'blobs'));
  });

  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('round-trips bytes and content type, sharded by key prefix', async () => {
    const key = '3f9c0e1d2b3a4c5d6e7f8091a2b3c4d5.jpg';
    const data = Buffer.from([0xff, 0xd8, 0x0a, 0x00, 0x0a, 0xff, 0xd9]); // newlines and NULs inside
    await store.put(key, data, 'image/jpeg');
    assert.deepEqual(await store.get(key), { data, contentType: 'image/jpeg' });
    const file = path.join(dir, 'blobs', '3f', '9c', key);
    assert.equal(store.pathFor(key), file);
    assert.ok((await fs.stat(file)).isFile());
    assert.deepEqual(await fs.readdir(path.join(dir, 'blobs', '.tmp')), [], 'no temporary file left');
  });

  it('replaces a blob on put, answers null for a missing one, deletes idempotently', async () => {
    const key = 'abcd-replace.png';
    await store.put(key, Buffer.from('first'), 'image/png');
    await store.put(key, Buffer.from('second, longer'), 'image/png; charset=binary');
    assert.deepEqual(await store.get(key), { data: Buffer.from('second, longer'), contentType: 'image/png; charset=binary' });
    await store.delete(key);
    assert.equal(await store.get(key), null);
    await store.delete(key);
    assert.equal(await store.get('zzzz-never-stored'), null);
  });

  it('stores an empty blob and a large one', async () => {
    await store.put('empty-blob', Buffer.alloc(0), 'application/octet-stream');
    assert.deepEqual(await store.get('empty-blob'), { data: Buffer.alloc(0), contentType: 'application/octet-stream' });
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await store.put('big-blob', big, 'application/octet-stream');
    assert.deepEqual((await store.get('big-blob'))?.data, big);
  });

  it('refuses path traversal and other unsafe keys in every method', async () => {
    const unsafe = [
      '../../etc/passwd',
      '..',
      '../x',
      'ab/../../cd',
      'abcd/efgh',
      'ab\\..\\cd',
      '/etc/passwd',
      'C:\\Windows',
      '',
      'abc',
      '.hidden-key',
      'ab..cd',
      'ABCD.jpg',
      'abcd\0.jpg',
      'abcd\n.jpg',
      'a'.repeat(201),
    ];
    for (const key of unsafe) {
      assert.equal(isSafeBlobKey(key), false, JSON.stringify(key));
      await assert.rejects(store.put(key, Buffer.from('x'), 'text/plain'), BlobKeyError, JSON.stringify(key));
      await assert.rejects(store.get(key), BlobKeyError, JSON.stringify(key));
      await assert.rejects(store.delete(key), BlobKeyError, JSON.stringify(key));
    }
    await assert.rejects(fs.stat(path.join(dir, 'etc')), { code: 'ENOENT' });
  });

  it('refuses a content type that could break its header line', async () => {
    await assert.rejects(store.put('abcd-ct', Buffer.from('x'), 'image/jpeg\nGZB1 text/html'), BlobKeyError);
    await assert.rejects(store.put('abcd-ct', Buffer.from('x'), 'jpeg'), BlobKeyError);
  });

  it('refuses to read a file that is not in its format', async () => {
    const key = 'abcd-foreign';
    await fs.mkdir(path.dirname(store.pathFor(key)), { recursive: true });
    await fs.writeFile(store.pathFor(key), 'just some bytes');
    await assert.rejects(store.get(key), /not in the store's format/);
  });

  it('lives under <dataDir>/blobs when made from the configuration', () => {
    const configured = blobStoreFor({ dataDir: dir }) as FileBlobStore;
    assert.equal(configured.rootDir, path.join(dir, 'blobs'));
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { createTestApp, type TestContext } from '../../../../../test/helpers/app.ts';
import { AppError } from '../../../errors.ts';
import { FileBlobStore, type BlobStore } from '../../../lib/storage/blob-store.ts';
import { inspectPhoto, MAX_PHOTO_BYTES, stripLocation, type PhotoMime } from './photo.ts';
import { deletePhotos, readPhoto, savePhoto, savePhotos } from './photo-service.ts';
import {
  exifTiff,
  gpsLatitudeBytes,
  ihdr,
  multipartBody,
  phoneJpeg,
  phonePng,
  phoneWebp,
  plainJpeg,
  PNG_SIGNATURE,
  pngChunk,
  pngScanlines,
  riff,
  riffChunk,
  vp8x,
  WEBP_ANIMATED_1x1,
  WEBP_LOSSLESS_24x16,
  WEBP_LOSSY_24x16,
  webpBitstream,
} from './test-fixtures.ts';

const rejects = (fn: () => unknown, code: string, message?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });

/** Strings and byte runs that only the metadata in the fixtures contains. */
const LEAKS = ['GPS', 'GongzhiTestCam', 'ns.adobe.com', 'Photoshop', 'Shenzhen', '22.544861', 'lat=', 'MPF', 'GPSAltitude'];

function assertNoLocation(out: Buffer) {
  const text = out.toString('latin1');
  for (const leak of LEAKS) assert.ok(!text.includes(leak), `output still contains ${JSON.stringify(leak)}`);
  assert.equal(out.indexOf(gpsLatitudeBytes(true)), -1, 'GPS latitude rationals (II) survive');
  assert.equal(out.indexOf(gpsLatitudeBytes(false)), -1, 'GPS latitude rationals (MM) survive');
}

/** The TIFF blocks of every Exif APP1 in a JPEG, walking its segments up to the first scan. */
function jpegExifBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = 2;
  while (pos + 4 <= data.length && data[pos] === 0xff && data[pos + 1] !== 0xda) {
    const end = pos + 2 + data.readUInt16BE(pos + 2);
    const payload = data.subarray(pos + 4, end);
    if (data[pos + 1] === 0xe1 && payload.toString('latin1', 0, 6) === 'Exif\0\0') blocks.push(payload.subarray(6));
    pos = end;
  }
  return blocks;
}

/** IFD0 of a TIFF block as [tag, value of a SHORT] pairs. */
function ifd0(tiff: Buffer): [number, number][] {
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const at = le ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  return Array.from({ length: u16(at) }, (_, i) => [u16(at + 2 + i * 12), u16(at + 2 + i * 12 + 8)]);
}

function pngChunks(data: Buffer): { type: string; body: Buffer }[] {
  assert.ok(data.subarray(0, 8).equals(PNG_SIGNATURE));
  const chunks: { type: string; body: Buffer }[] = [];
  let pos = 8;
  while (pos < data.length) {
    const length = data.readUInt32BE(pos);
    const type = data.toString('latin1', pos + 4, pos + 8);
    const body = data.subarray(pos + 8, pos + 8 + length);
    assert.equal(data.readUInt32BE(pos + 8 + length), crc32(data.subarray(pos + 4, pos + 8 + length)), `CRC of ${type}`);
    chunks.push({ type, body });
    pos += 12 + length;
  }
  assert.equal(pos, data.length, 'nothing after IEND');
  return chunks;
}

function webpChunks(data: Buffer, start = 12, end = 8 + data.readUInt32LE(4)): { fourcc: string; body: Buffer }[] {
  const chunks: { fourcc: string; body: Buffer }[] = [];
  let pos = start;
  while (pos < end) {
    const size = data.readUInt32LE(pos + 4);
    chunks.push({ fourcc: data.toString('latin1', pos, pos + 4), body: data.subarray(pos + 8, pos + 8 + size) });
    pos += 8 + size + (size & 1);
  }
  assert.equal(pos, end, 'chunks fill the RIFF exactly');
  return chunks;
}

class MemoryStore implements BlobStore {
  readonly blobs = new Map<string, { data: Buffer; contentType: string }>();
  failAfter = Infinity;
  async put(key: string, data: Buffer, contentType: string) {
    if (this.blobs.size >= this.failAfter) throw new Error('disk full');
    this.blobs.set(key, { data: Buffer.from(data), contentType });
  }
  async get(key: string) {
    return this.blobs.get(key) ?? null;
  }
  async delete(key: string) {
    this.blobs.delete(key);
  }
}

describe('inspectPhoto', () => {
  it('reads type and size from the bytes of JPEG, PNG and WebP', () => {
    assert.deepEqual(inspectPhoto(plainJpeg(64, 48)), { mime: 'image/jpeg', width: 64, height: 48 });
    assert.deepEqual(inspectPhoto(phoneJpeg(40, 30)), { mime: 'image/jpeg', width: 40, height: 30 });
    assert.deepEqual(inspectPhoto(phonePng(33, 17)), { mime: 'image/png', width: 33, height: 17 });
    assert.deepEqual(inspectPhoto(WEBP_LOSSY_24x16), { mime: 'image/webp', width: 24, height: 16 });
    assert.deepEqual(inspectPhoto(WEBP_LOSSLESS_24x16), { mime: 'image/webp', width: 24, height: 16 });
    assert.deepEqual(inspectPhoto(phoneWebp()), { mime: 'image/webp', width: 24, height: 16 });
    assert.deepEqual(inspectPhoto(WEBP_ANIMATED_1x1), { mime: 'image/webp', width: 1, height: 1 });
  });

  it('refuses text, SVG, GIF, HEIC and other files with 415, whatever they are called', () => {
    rejects(() => inspectPhoto(Buffer.from('Meeting notes: the street light on 3rd road is broken.\n')), 'unsupported_media_type', /JPEG, PNG and WebP.*text/);
    rejects(() => inspectPhoto(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')), 'unsupported_media_type', /SVG/);
    rejects(() => inspectPhoto(Buffer.from('<svg onload="alert(1)"></svg>')), 'unsupported_media_type', /SVG/);
    rejects(() => inspectPhoto(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')), 'unsupported_media_type', /GIF/);
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);
    rejects(() => inspectPhoto(heic), 'unsupported_media_type', /HEIC/);
    rejects(() => inspectPhoto(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')), 'unsupported_media_type', /PDF/);
    rejects(() => inspectPhoto(Buffer.alloc(0)), 'unsupported_media_type');
  });

  it('refuses damaged or truncated images with 415', () => {
    const jpg = plainJpeg(32, 32);
    rejects(() => inspectPhoto(jpg.subarray(0, jpg.length - 2)), 'unsupported_media_type', /damaged/); // no EOI
    rejects(() => inspectPhoto(jpg.subarray(0, 200)), 'unsupported_media_type', /damaged/);
    rejects(() => inspectPhoto(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), 'unsupported_media_type', /damaged/); // no frame
    const png = phonePng(8, 8);
    rejects(() => inspectPhoto(png.subarray(0, 60)), 'unsupported_media_type', /damaged/);
    rejects(() => inspectPhoto(Buffer.concat([PNG_SIGNATURE, Buffer.from('not a chunk at all')])), 'unsupported_media_type', /damaged/);
    rejects(() => inspectPhoto(WEBP_LOSSY_24x16.subarray(0, 30)), 'unsupported_media_type', /damaged/);
    rejects(() => inspectPhoto(riff([riffChunk('JUNK', Buffer.alloc(4))])), 'unsupported_media_type', /damaged/);
    rejects(() => inspectPhoto(riff([vp8x(0, 24, 16)])), 'unsupported_media_type', /damaged/); // no image chunk
  });

  it('refuses a lossless/arithmetic JPEG variant with 415', () => {
    const jpg = Buffer.from(plainJpeg(16, 16));
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    jpg[sof + 1] = 0xc3;
    rejects(() => inspectPhoto(jpg), 'unsupported_media_type', /lossless/);
  });

  it('refuses more than 10 MB with 413, and accepts exactly 10 MB', () => {
    const big = Buffer.alloc(11 * 1024 * 1024);
    plainJpeg(8, 8).copy(big);
    rejects(() => inspectPhoto(big), 'payload_too_large', /10 MB/);
    // A PNG padded to exactly the limit with an ancillary chunk is still accepted.
    const png = phonePng(8, 8);
    const filler = pngChunk('prVt', Buffer.alloc(MAX_PHOTO_BYTES - png.length - 12));
    const exact = Buffer.concat([png.subarray(0, 33), filler, png.subarray(33)]);
    assert.equal(exact.length, MAX_PHOTO_BYTES);
    assert.equal(inspectPhoto(exact).mime, 'image/png');
  });

  it('refuses a decompression bomb (a tiny file claiming 100,000 × 100,000 pixels) with 413', () => {
    const bomb = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr(100_000, 100_000)), pngChunk('IDAT', Buffer.alloc(8)), pngChunk('IEND', Buffer.alloc(0))]);
    rejects(() => inspectPhoto(bomb), 'payload_too_large', /pixels/);
  });
});

describe('stripLocation: JPEG', () => {
  it('removes Exif GPS, XMP, IPTC, comments and appended images; the picture decodes the same', () => {
    for (const littleEndian of [true, false]) {
      const original = phoneJpeg(64, 48, { littleEndian });
      const text = original.toString('latin1');
      assert.ok(text.includes('Exif\0\0') && text.includes('GPS') && original.indexOf(gpsLatitudeBytes(littleEndian)) > 0, 'the fixture carries GPS');

      const out = stripLocation(original, 'image/jpeg');
      assertNoLocation(out);
      assert.ok(!out.toString('latin1').includes('Exif'), 'no Exif block without a rotation to keep');
      assert.equal(out.indexOf(Buffer.from([0xff, 0xd9])), out.length - 2, 'ends at the first EOI: the appended image is gone');
      assert.deepEqual(inspectPhoto(out), { mime: 'image/jpeg', width: 64, height: 48 });

      const before = jpeg.decode(original, { tolerantDecoding: false, useTArray: true });
      const after = jpeg.decode(out, { tolerantDecoding: false, useTArray: true });
      assert.equal(after.width, 64);
      assert.equal(after.height, 48);
      assert.deepEqual(after.data, before.data, 'same pixels');
    }
  });

  it('keeps the orientation as a one-tag Exif block, and the JFIF header first', () => {
    const out = stripLocation(phoneJpeg(40, 30, { orientation: 6 }), 'image/jpeg');
    assertNoLocation(out);
    assert.equal(out.toString('latin1', 6, 11), 'JFIF\0', 'APP0 JFIF stays right after SOI');
    const blocks = jpegExifBlocks(out);
    assert.equal(blocks.length, 1);
    assert.deepEqual(ifd0(blocks[0]!), [[0x0112, 6]], 'only Orientation = 6');
    assert.equal(jpeg.decode(out, { tolerantDecoding: false }).width, 40);
  });

  it('leaves a clean JPEG byte for byte as it was', () => {
    const plain = plainJpeg(20, 10);
    assert.deepEqual(stripLocation(plain, 'image/jpeg'), plain);
  });

  it('copies scan data with stuffed bytes, restart markers and fill bytes through unchanged', () => {
    // A scan whose entropy data contains FF00 (stuffing), RST0 and a fill byte before EOI.
    const plain = plainJpeg(16, 16);
    const eoi = plain.length - 2;
    const crafted = Buffer.concat([plain.subarray(0, eoi), Buffer.from([0xff, 0x00, 0x12, 0xff, 0xd0, 0x34, 0xff]), plain.subarray(eoi)]);
    const withComment = Buffer.concat([crafted.subarray(0, 2), Buffer.from([0xff, 0xfe, 0, 5, 0x47, 0x50, 0x53]), crafted.subarray(2)]);
    assert.deepEqual(stripLocation(withComment, 'image/jpeg'), crafted, 'only the comment is gone');
  });
});

describe('stripLocation: PNG', () => {
  it('removes eXIf, text chunks (XMP and others), tIME, private chunks and trailers; the pixels inflate the same', () => {
    const original = phonePng(33, 17);
    assert.ok(original.toString('latin1').includes('GPS'));
    const out = stripLocation(original, 'image/png');
    assertNoLocation(out);
    const chunks = pngChunks(out);
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['IHDR', 'sRGB', 'IDAT', 'IDAT', 'IEND'],
    );
    const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.body));
    assert.deepEqual(inflateSync(idat), pngScanlines(33, 17));
    assert.deepEqual(inspectPhoto(out), { mime: 'image/png', width: 33, height: 17 });
  });

  it('keeps the orientation as a one-tag eXIf chunk before the image data', () => {
    const out = stripLocation(phonePng(8, 4, { orientation: 8 }), 'image/png');
    assertNoLocation(out);
    const chunks = pngChunks(out);
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['IHDR', 'eXIf', 'sRGB', 'IDAT', 'IDAT', 'IEND'],
    );
    assert.deepEqual(ifd0(chunks[1]!.body), [[0x0112, 8]]);
  });
});

describe('stripLocation: WebP', () => {
  it('removes EXIF, XMP and unknown chunks, clears the VP8X flags and fixes the RIFF size', () => {
    const original = phoneWebp();
    assert.ok(original.toString('latin1').includes('GPS'));
    const out = stripLocation(original, 'image/webp');
    assertNoLocation(out);
    assert.equal(out.readUInt32LE(4), out.length - 8, 'RIFF size');
    const chunks = webpChunks(out);
    assert.deepEqual(
      chunks.map((c) => c.fourcc),
      ['VP8X', 'VP8 '],
    );
    assert.equal(chunks[0]!.body[0]! & 0x0c, 0, 'EXIF and XMP flags cleared');
    assert.deepEqual(chunks[1]!.body, webpChunks(WEBP_LOSSY_24x16)[0]!.body, 'bitstream unchanged');
    assert.deepEqual(inspectPhoto(out), { mime: 'image/webp', width: 24, height: 16 });
  });

  it('keeps the orientation as a one-tag EXIF chunk with its flag', () => {
    const out = stripLocation(phoneWebp({ orientation: 3 }), 'image/webp');
    assertNoLocation(out);
    const chunks = webpChunks(out);
    assert.deepEqual(
      chunks.map((c) => c.fourcc),
      ['VP8X', 'VP8 ', 'EXIF'],
    );
    assert.equal(chunks[0]!.body[0]! & 0x0c, 0x08);
    assert.deepEqual(ifd0(chunks[2]!.body), [[0x0112, 3]]);
  });

  it('leaves simple lossy and lossless files as they are, and drops chunks hidden in animation frames', () => {
    assert.deepEqual(stripLocation(WEBP_LOSSY_24x16, 'image/webp'), WEBP_LOSSY_24x16);
    assert.deepEqual(stripLocation(WEBP_LOSSLESS_24x16, 'image/webp'), WEBP_LOSSLESS_24x16);
    assert.deepEqual(stripLocation(WEBP_ANIMATED_1x1, 'image/webp'), WEBP_ANIMATED_1x1);

    const [head, anim, frame] = webpChunks(WEBP_ANIMATED_1x1);
    const frameChunks = webpChunks(frame!.body, 16, frame!.body.length);
    const dirtyFrame = Buffer.concat([frame!.body.subarray(0, 16), ...frameChunks.map((c) => riffChunk(c.fourcc, c.body)), riffChunk('GPSx', Buffer.from('lat=22.5'))]);
    const dirty = riff([riffChunk('VP8X', head!.body), riffChunk('ANIM', anim!.body), riffChunk('ANMF', dirtyFrame), riffChunk('XMP ', Buffer.from('GPS'))]);
    const out = stripLocation(dirty, 'image/webp');
    assertNoLocation(out);
    assert.deepEqual(out, WEBP_ANIMATED_1x1);
  });

  it('handles a lossless bitstream in the extended format', () => {
    const out = stripLocation(riff([vp8x(0x04, 24, 16), webpBitstream(WEBP_LOSSLESS_24x16), riffChunk('XMP ', Buffer.from('GPS'))]), 'image/webp');
    assert.deepEqual(
      webpChunks(out).map((c) => c.fourcc),
      ['VP8X', 'VP8L'],
    );
    assert.equal(out.readUInt32LE(4), out.length - 8);
  });
});

describe('stripLocation: refusals', () => {
  it('refuses bytes that are not of the stated type', () => {
    rejects(() => stripLocation(phonePng(4, 4), 'image/jpeg' satisfies PhotoMime), 'unsupported_media_type');
    rejects(() => stripLocation(Buffer.from('hello'), 'image/webp'), 'unsupported_media_type');
  });

  it('writes no Exif block for orientation 1 (upright) or an Exif block without one', () => {
    for (const orientation of [1, undefined]) {
      const plain = plainJpeg(8, 8);
      const exif = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 0]), Buffer.from('Exif\0\0', 'latin1'), exifTiff({ orientation, withGps: false })]);
      exif.writeUInt16BE(exif.length - 2, 2);
      const out = stripLocation(Buffer.concat([plain.subarray(0, 2), exif, plain.subarray(2)]), 'image/jpeg');
      assert.deepEqual(out, plain);
    }
  });
});

describe('savePhoto / readPhoto', () => {
  it('stores only the stripped bytes under a random key with the right extension', async () => {
    const store = new MemoryStore();
    const saved = await savePhoto(store, phoneJpeg(64, 48));
    assert.match(saved.storageKey, /^[0-9a-f]{32}\.jpg$/);
    assert.equal(saved.mime, 'image/jpeg');
    assert.equal(saved.width, 64);
    assert.equal(saved.height, 48);
    const stored = store.blobs.get(saved.storageKey)!;
    assert.equal(stored.contentType, 'image/jpeg');
    assert.equal(saved.bytes, stored.data.length);
    assertNoLocation(stored.data);

    const read = await readPhoto(store, saved.storageKey);
    assert.equal(read.mime, 'image/jpeg');
    assert.deepEqual(read.data, stored.data);

    const png = await savePhoto(store, phonePng(5, 5));
    const webp = await savePhoto(store, phoneWebp());
    assert.match(png.storageKey, /\.png$/);
    assert.match(webp.storageKey, /\.webp$/);
    assert.notEqual(png.storageKey, webp.storageKey);
  });

  it('readPhoto answers not_found for a missing photo or a key that is not a photo key', async () => {
    const store = new MemoryStore();
    await assert.rejects(readPhoto(store, `${'a'.repeat(32)}.jpg`), { code: 'not_found' });
    await assert.rejects(readPhoto(store, '../../etc/passwd'), { code: 'not_found' });
  });

  it('savePhotos checks every photo before storing any, and names the one at fault', async () => {
    const store = new MemoryStore();
    await assert.rejects(savePhotos(store, [plainJpeg(8, 8), Buffer.from('not a photo'), phonePng(4, 4)]), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, 'unsupported_media_type');
      assert.match(e.message, /^Photo 2: /);
      assert.equal(e.details?.[0]?.field, 'photos/1');
      return true;
    });
    assert.equal(store.blobs.size, 0, 'nothing written');

    store.failAfter = 1;
    await assert.rejects(savePhotos(store, [plainJpeg(8, 8), plainJpeg(8, 8)]), /disk full/);
    assert.equal(store.blobs.size, 0, 'the first photo was removed again');

    store.failAfter = Infinity;
    const saved = await savePhotos(store, [plainJpeg(8, 8), WEBP_LOSSY_24x16]);
    assert.equal(store.blobs.size, 2);
    await deletePhotos(store, saved.map((s) => s.storageKey));
    assert.equal(store.blobs.size, 0);
  });
});

describe('uploads over HTTP (multipart, the app error handler)', () => {
  let ctx: TestContext;
  let dir: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gz-photos-'));
    const store = new FileBlobStore(dir);
    // buildApp registers the uploads plugin (registerUploads) itself.
    ctx = await createTestApp();
    ctx.app.post('/test/photos', async (request) => {
      const photos: Buffer[] = [];
      for await (const part of request.parts()) {
        if (part.type === 'file') photos.push(await part.toBuffer());
      }
      return { photos: await savePhotos(store, photos) };
    });
  });

  after(async () => {
    await ctx.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const upload = (files: [string, string, string, Buffer][]) => {
    const { body, contentType } = multipartBody({ text: 'The street light is out' }, files);
    return ctx.app.inject({ method: 'POST', url: '/test/photos', payload: body, headers: { 'content-type': contentType } });
  };

  it('accepts photos by content, whatever their name or declared type', async () => {
    const res = await upload([
      ['photos', 'IMG_0001.jpg', 'image/jpeg', phoneJpeg(64, 48)],
      ['photos', 'screenshot.txt', 'text/plain', phonePng(10, 6)],
    ]);
    assert.equal(res.statusCode, 200, res.body);
    const { photos } = res.json() as { photos: { mime: string; width: number }[] };
    assert.deepEqual(
      photos.map((p) => [p.mime, p.width]),
      [
        ['image/jpeg', 64],
        ['image/png', 10],
      ],
    );
  });

  it('refuses a text file named .jpg with 415', async () => {
    const res = await upload([['photos', 'photo.jpg', 'image/jpeg', Buffer.from('this is not a photo, just text\n')]]);
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().error.code, 'unsupported_media_type');
    assert.equal(res.json().error.details[0].field, 'photos/0');
  });

  it('refuses a GIF with 415', async () => {
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    const res = await upload([['photos', 'cat.gif', 'image/gif', gif]]);
    assert.equal(res.statusCode, 415);
  });

  it('refuses an 11 MB file with 413', async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
    plainJpeg(8, 8).copy(big);
    const res = await upload([['photos', 'big.jpg', 'image/jpeg', big]]);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'payload_too_large');
  });

  it('refuses a tenth photo with 413', async () => {
    const small = plainJpeg(8, 8);
    const res = await upload(Array.from({ length: 10 }, (_, i): [string, string, string, Buffer] => ['photos', `p${i}.jpg`, 'image/jpeg', small]));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'payload_too_large');
  });
});

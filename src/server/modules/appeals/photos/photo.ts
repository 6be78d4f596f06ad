// Photo checks and location stripping for appeal photos (issue 3: "JPEG/PNG/WebP checked by
// content, not by name; at most 10 MB each; location metadata stripped").
//
// Why we parse the containers ourselves rather than use an image library:
// - No pure-JavaScript library removes metadata from all three formats (piexifjs does JPEG only
//   and is unmaintained; exifr only reads).
// - sharp does install and work offline here (its libvips ships inside @img/sharp-linux-x64), but
//   it strips by decoding and re-encoding: lossy for evidence photos, about 0.26 s of CPU per 12 MP
//   JPEG on this 2-core machine (2+ s for an appeal with 9 photos), ~18 MB of native code per
//   platform, and every upload would be decoded by C image decoders on the server.
// - The containers are small, well-defined formats. Walking them is linear, takes milliseconds
//   for 10 MB, never decodes pixels and copies the compressed image data byte for byte, so the
//   picture is exactly the one the resident took.
// If thumbnails are wanted later, sharp can make them from the already stripped original.
//
// Stripping keeps a whitelist, so unknown or vendor containers of metadata go too:
// - JPEG: keeps SOI, the JFIF APP0, ICC profiles (APP2 ICC_PROFILE), Adobe APP14 (colour
//   transform) and the coding segments (DQT, DHT, DRI, SOF, SOS with its scan data, EOI). Drops
//   every APP1 (Exif with its GPS IFD and thumbnail, XMP, extended XMP), APP13 (Photoshop/IPTC,
//   which can name the place), MPF and other APPn, comments, and anything after EOI (MPF
//   secondary images and vendor trailers, which carry their own Exif).
// - PNG: keeps the critical chunks and the rendering ones (tRNS, gAMA, cHRM, sRGB, iCCP, cICP,
//   mDCV, cLLI, sBIT, bKGD, hIST, pHYs, sPLT, APNG's acTL/fcTL/fdAT). Drops eXIf, every text
//   chunk (tEXt, zTXt, iTXt: XMP and free-text descriptions alike), tIME, private and unknown
//   chunks, and anything after IEND.
// - WebP: keeps VP8X, ICCP, ANIM, ANMF (and inside frames only ALPH/VP8/VP8L), ALPH, VP8, VP8L.
//   Drops EXIF, XMP and unknown chunks, clears the VP8X EXIF/XMP flags and rewrites the RIFF size.
// - Orientation: the only Exif field kept. When the original says the picture is rotated
//   (orientation 2–8), a new minimal Exif block holding that one tag is written (JPEG APP1,
//   PNG eXIf, WebP EXIF), so phones' portrait photos still display upright. Nothing else of the
//   original metadata is copied.
//
// Policy: savePhoto strips on the way in and stores only the stripped bytes, so no copy with GPS
// ever exists on the server; every copy that leaves, to anyone, is location-free.
import { crc32 } from 'node:zlib';
import { AppError } from '../../../errors.ts';

export type PhotoMime = 'image/jpeg' | 'image/png' | 'image/webp';

export interface PhotoInfo {
  mime: PhotoMime;
  width: number;
  height: number;
}

/** 10 MB per photo (the multipart limit in uploads.ts is the same number). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Decoders elsewhere (browsers, thumbnailers) must not be handed a decompression bomb; sharp's default. */
export const MAX_PHOTO_PIXELS = 0x3fff * 0x3fff;

export const photoExtension: Record<PhotoMime, 'jpg' | 'png' | 'webp'> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const unsupported = (message: string) => new AppError('unsupported_media_type', message);
const damaged = (format: string) => unsupported(`The file looks like a ${format} image but is damaged or incomplete.`);

function ascii(data: Buffer, start: number, end: number): string {
  return data.toString('latin1', start, Math.min(end, data.length));
}

function sniff(data: Buffer): PhotoMime | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** What a refused file is, for a helpful message; never used to accept anything. */
function describe(data: Buffer): string | null {
  const head = ascii(data, 0, 12);
  if (head.startsWith('GIF8')) return 'a GIF';
  if (head.slice(4, 8) === 'ftyp') {
    const brand = head.slice(8, 12);
    if (brand.startsWith('avi')) return 'an AVIF image';
    if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) {
      return 'a HEIC/HEIF photo (set the camera to "Most Compatible", or share the photo as JPEG)';
    }
    return 'a video or HEIF file';
  }
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'a TIFF or camera raw file';
  if (head.startsWith('BM')) return 'a BMP';
  if (head.startsWith('%PDF')) return 'a PDF';
  const text = data.toString('utf8', 0, Math.min(data.length, 512)).replace(/^\uFEFF/, '').trimStart();
  if (/^<(\?xml|svg|!DOCTYPE svg)/i.test(text) && /<svg/i.test(text)) return 'an SVG drawing';
  if (data.length > 0 && !data.subarray(0, 512).includes(0)) return 'text';
  return null;
}

// ---------------------------------------------------------------- Exif orientation

/** The Orientation tag (0x0112) of IFD0 in a TIFF block (optionally behind `Exif\0\0`), if valid. */
function tiffOrientation(block: Buffer): number | undefined {
  const tiff = ascii(block, 0, 6) === 'Exif\0\0' ? block.subarray(6) : block;
  if (tiff.length < 8) return undefined;
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) === 0x0112 && u16(entry + 2) === 3 && u32(entry + 4) >= 1) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** A big-endian TIFF block whose IFD0 holds only Orientation (26 bytes). */
function orientationTiff(orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM\0*', 0, 'latin1');
  tiff.writeUInt32BE(8, 4); // IFD0 offset
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // count
  tiff.writeUInt16BE(orientation, 18); // value, left-justified in the 4-byte field
  tiff.writeUInt32BE(0, 22); // no next IFD
  return tiff;
}

/** Orientation worth keeping: 2–8 (1, the default, needs no block). */
const rotated = (orientation: number | undefined): orientation is number => orientation !== undefined && orientation !== 1;

// ---------------------------------------------------------------- JPEG

interface JpegPart {
  marker: number;
  /** From the 0xFF of the marker to the end of the segment (for SOS: the end of its scan data). */
  start: number;
  end: number;
}

interface Parsed<T> {
  width: number;
  height: number;
  parts: T[];
}

/** DHT, DAC, DQT, DNL, DRI and COM; APPn (E0–EF), SOFn and SOS are handled apart. */
const JPEG_SEGMENTS = new Set([0xc4, 0xcc, 0xdb, 0xdc, 0xdd, 0xfe]);
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function parseJpeg(data: Buffer): Parsed<JpegPart> {
  const len = data.length;
  const parts: JpegPart[] = [{ marker: 0xd8, start: 0, end: 2 }];
  let width = 0;
  let height = 0;
  let scans = 0;
  let pos = 2;
  for (;;) {
    if (pos >= len || data[pos] !== 0xff) throw damaged('JPEG');
    let m = pos + 1;
    while (m < len && data[m] === 0xff) m++; // fill bytes
    if (m >= len) throw damaged('JPEG');
    const marker = data[m]!;
    const start = m - 1;
    if (marker === 0xd9) {
      if (!width || !scans) throw damaged('JPEG');
      parts.push({ marker, start, end: m + 1 });
      return { width, height, parts }; // anything after EOI is dropped
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      parts.push({ marker, start, end: m + 1 });
      pos = m + 1;
      continue;
    }
    if (m + 3 > len) throw damaged('JPEG');
    const end = m + 1 + data.readUInt16BE(m + 1);
    if (end < m + 3 || end > len) throw damaged('JPEG');
    if (isSof(marker)) {
      if (marker > 0xc2) throw unsupported('This kind of JPEG (lossless, arithmetic or hierarchical coding) is not accepted; save it as an ordinary JPEG.');
      if (width || end - m < 9) throw damaged('JPEG');
      height = data.readUInt16BE(m + 4);
      width = data.readUInt16BE(m + 6);
      if (!width || !height) throw damaged('JPEG');
    } else if (marker === 0xda) {
      if (!width) throw damaged('JPEG');
      scans++;
      // Scan data runs to the next marker: 0xFF followed by anything but 0x00 (stuffing),
      // RST0–7 or another 0xFF (fill).
      let i = end;
      for (;;) {
        i = data.indexOf(0xff, i);
        if (i < 0 || i + 1 >= len) throw damaged('JPEG');
        const next = data[i + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) i += 2;
        else if (next === 0xff) i += 1;
        else break;
      }
      parts.push({ marker, start, end: i });
      pos = i;
      continue;
    } else if (!JPEG_SEGMENTS.has(marker) && !(marker >= 0xe0 && marker <= 0xef)) {
      // DHP, EXP, JPGn (JPEG-LS), reserved markers or a second SOI.
      throw damaged('JPEG');
    }
    parts.push({ marker, start, end });
    pos = end;
  }
}

function stripJpeg(data: Buffer): Buffer {
  const { parts } = parseJpeg(data);
  const keep: Buffer[] = [];
  let orientation: number | undefined;
  let exifFound = false;
  let insertAt = 1; // after SOI, or after a JFIF APP0 that directly follows it
  for (const [index, part] of parts.entries()) {
    const { marker, start, end } = part;
    const payload = data.subarray(start + 4, end);
    if (marker >= 0xe0 && marker <= 0xef) {
      const id = (text: string) => ascii(payload, 0, text.length) === text;
      if (marker === 0xe1 && id('Exif\0\0') && !exifFound) {
        exifFound = true;
        orientation = tiffOrientation(payload.subarray(6));
      }
      const kept = (marker === 0xe0 && id('JFIF\0')) || (marker === 0xe2 && id('ICC_PROFILE\0')) || (marker === 0xee && id('Adobe'));
      if (!kept) continue;
      if (marker === 0xe0 && index === 1) insertAt = 2;
    } else if (marker === 0xfe) {
      continue; // comments
    }
    keep.push(data.subarray(start, end));
  }
  if (rotated(orientation)) {
    const tiff = orientationTiff(orientation);
    const header = Buffer.alloc(4 + 6);
    header.writeUInt16BE(0xffe1, 0);
    header.writeUInt16BE(2 + 6 + tiff.length, 2);
    header.write('Exif\0\0', 4, 'latin1');
    keep.splice(insertAt, 0, Buffer.concat([header, tiff]));
  }
  return Buffer.concat(keep);
}

// ---------------------------------------------------------------- PNG

interface PngChunk {
  type: string;
  start: number;
  end: number;
}

function parsePng(data: Buffer): Parsed<PngChunk> {
  const parts: PngChunk[] = [];
  let pos = PNG_SIGNATURE.length;
  let idat = false;
  for (;;) {
    if (pos + 12 > data.length) throw damaged('PNG');
    const length = data.readUInt32BE(pos);
    const type = ascii(data, pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type) || end > data.length) throw damaged('PNG');
    if (parts.length === 0 && (type !== 'IHDR' || length !== 13)) throw damaged('PNG');
    if (type === 'IDAT') idat = true;
    parts.push({ type, start: pos, end });
    pos = end;
    if (type === 'IEND') break; // anything after IEND is dropped
  }
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  if (!idat || !width || !height || width > 0x7fffffff || height > 0x7fffffff) throw damaged('PNG');
  return { width, height, parts };
}

const PNG_KEEP = new Set([
  'IHDR', 'PLTE', 'IDAT', 'IEND',
  'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'cICP', 'mDCV', 'cLLI', 'sBIT', 'bKGD', 'hIST', 'pHYs', 'sPLT',
  'acTL', 'fcTL', 'fdAT',
]);

function pngChunk(type: string, body: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write(type, 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length);
  return chunk;
}

function stripPng(data: Buffer): Buffer {
  const { parts } = parsePng(data);
  const keep: Buffer[] = [PNG_SIGNATURE];
  const exif = parts.find((c) => c.type === 'eXIf');
  const orientation = exif ? tiffOrientation(data.subarray(exif.start + 8, exif.end - 4)) : undefined;
  for (const chunk of parts) {
    if (!PNG_KEEP.has(chunk.type)) continue;
    keep.push(data.subarray(chunk.start, chunk.end));
    // Right after IHDR: eXIf must precede the image data.
    if (chunk.type === 'IHDR' && rotated(orientation)) keep.push(pngChunk('eXIf', orientationTiff(orientation)));
  }
  return Buffer.concat(keep);
}

// ---------------------------------------------------------------- WebP

interface RiffChunk {
  fourcc: string;
  body: Buffer;
}

function riffChunks(data: Buffer, start: number, end: number): RiffChunk[] {
  const chunks: RiffChunk[] = [];
  let pos = start;
  while (pos < end) {
    if (pos + 8 > end) throw damaged('WebP');
    const fourcc = ascii(data, pos, pos + 4);
    const size = data.readUInt32LE(pos + 4);
    const bodyEnd = pos + 8 + size;
    if (bodyEnd > end) throw damaged('WebP');
    chunks.push({ fourcc, body: data.subarray(pos + 8, bodyEnd) });
    pos = bodyEnd + (size & 1); // chunks are padded to an even size; a missing final pad is tolerated
  }
  return chunks;
}

function riffChunk(fourcc: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(fourcc, 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat(body.length & 1 ? [header, body, Buffer.alloc(1)] : [header, body]);
}

function vp8Size(body: Buffer): { width: number; height: number } {
  // Key frame tag (bit 0 clear), start code 9d 01 2a, then 14-bit width and height.
  if (body.length < 10 || (body[0]! & 1) !== 0 || body[3] !== 0x9d || body[4] !== 0x01 || body[5] !== 0x2a) throw damaged('WebP');
  return { width: body.readUInt16LE(6) & 0x3fff, height: body.readUInt16LE(8) & 0x3fff };
}

function vp8lSize(body: Buffer): { width: number; height: number } {
  if (body.length < 5 || body[0] !== 0x2f) throw damaged('WebP');
  const bits = body.readUInt32LE(1);
  if (bits >>> 29 !== 0) throw damaged('WebP'); // version must be 0
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}

const WEBP_IMAGE = new Set(['VP8 ', 'VP8L', 'ANMF']);
const WEBP_KEEP = new Set(['VP8X', 'ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L']);
const ANMF_KEEP = new Set(['ALPH', 'VP8 ', 'VP8L']);

function parseWebp(data: Buffer): Parsed<RiffChunk> {
  if (data.length < 20) throw damaged('WebP');
  const riffSize = data.readUInt32LE(4);
  if (riffSize < 12 || 8 + riffSize > data.length) throw damaged('WebP');
  const parts = riffChunks(data, 12, 8 + riffSize); // anything after the RIFF is dropped
  const first = parts[0]!;
  let size: { width: number; height: number };
  if (first.fourcc === 'VP8 ') size = vp8Size(first.body);
  else if (first.fourcc === 'VP8L') size = vp8lSize(first.body);
  else if (first.fourcc === 'VP8X') {
    if (first.body.length < 10 || !parts.some((c) => WEBP_IMAGE.has(c.fourcc))) throw damaged('WebP');
    size = { width: first.body.readUIntLE(4, 3) + 1, height: first.body.readUIntLE(7, 3) + 1 };
    for (const frame of parts.filter((c) => c.fourcc === 'ANMF')) {
      if (frame.body.length < 16) throw damaged('WebP');
      riffChunks(frame.body, 16, frame.body.length);
    }
  } else throw damaged('WebP');
  if (!size.width || !size.height) throw damaged('WebP');
  return { ...size, parts };
}

function stripWebp(data: Buffer): Buffer {
  const { parts } = parseWebp(data);
  const first = parts[0]!;
  const out: Buffer[] = [];
  if (first.fourcc !== 'VP8X') {
    out.push(riffChunk(first.fourcc, first.body)); // simple format: the bitstream is the file
  } else {
    const exif = parts.find((c) => c.fourcc === 'EXIF');
    const orientation = exif ? tiffOrientation(exif.body) : undefined;
    const vp8x = Buffer.from(first.body);
    vp8x[0] = (vp8x[0]! & ~0x0c) | (rotated(orientation) ? 0x08 : 0); // EXIF 0x08, XMP 0x04
    out.push(riffChunk('VP8X', vp8x));
    for (const chunk of parts.slice(1)) {
      if (!WEBP_KEEP.has(chunk.fourcc) || chunk.fourcc === 'VP8X') continue;
      if (chunk.fourcc === 'ANMF') {
        const frame = riffChunks(chunk.body, 16, chunk.body.length).filter((c) => ANMF_KEEP.has(c.fourcc));
        out.push(riffChunk('ANMF', Buffer.concat([chunk.body.subarray(0, 16), ...frame.map((c) => riffChunk(c.fourcc, c.body))])));
      } else {
        out.push(riffChunk(chunk.fourcc, chunk.body));
      }
    }
    if (rotated(orientation)) out.push(riffChunk('EXIF', orientationTiff(orientation))); // EXIF follows the image data
  }
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + out.reduce((n, b) => n + b.length, 0), 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, ...out]);
}

// ---------------------------------------------------------------- API

/**
 * The photo's type and size, from its bytes alone (a name or a declared type is never asked).
 * Walks the whole container, so a file that passes can be stripped. Throws AppError
 * payload_too_large (over 10 MB, or over MAX_PHOTO_PIXELS) or unsupported_media_type (anything
 * but a sound JPEG, PNG or WebP: text, SVG, GIF, HEIC, a damaged or truncated image …).
 */
export function inspectPhoto(data: Buffer): PhotoInfo {
  if (data.length > MAX_PHOTO_BYTES) {
    throw new AppError('payload_too_large', `A photo may be at most 10 MB; this one is ${(data.length / 1024 / 1024).toFixed(1)} MB.`);
  }
  const mime = sniff(data);
  if (!mime) {
    const kind = describe(data);
    throw unsupported(`Only JPEG, PNG and WebP photos are accepted${kind ? `; this file is ${kind}` : ''}.`);
  }
  const { width, height } = mime === 'image/jpeg' ? parseJpeg(data) : mime === 'image/png' ? parsePng(data) : parseWebp(data);
  if (width * height > MAX_PHOTO_PIXELS) {
    throw new AppError('payload_too_large', `A photo may have at most ${Math.floor(MAX_PHOTO_PIXELS / 1e6)} million pixels; this one is ${width}×${height}.`);
  }
  return { mime, width, height };
}

/**
 * A copy of the photo without metadata (see the top of this file): GPS and every other Exif/XMP/
 * text field gone, orientation kept, compressed image data untouched. Throws
 * unsupported_media_type when data is not a sound image of that type.
 */
export function stripLocation(data: Buffer, mime: PhotoMime): Buffer {
  if (sniff(data) !== mime) throw unsupported(`The file is not a ${photoExtension[mime].toUpperCase()} image.`);
  if (mime === 'image/jpeg') return stripJpeg(data);
  if (mime === 'image/png') return stripPng(data);
  return stripWebp(data);
}

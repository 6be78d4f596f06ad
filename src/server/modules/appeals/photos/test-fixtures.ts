// Test images: real JPEGs from an encoder (jpeg-js), PNGs written here with zlib, WebPs from
// libwebp (made with sharp 0.35.5, kept as base64), and the metadata a phone puts into them:
// Exif with a GPS IFD, XMP, IPTC, comments, text chunks and trailers.
import { deflateSync, crc32 } from 'node:zlib';
import jpeg from 'jpeg-js';

/** Shenzhen Civic Centre, as a phone would write it. */
export const GPS = { lat: [22, 32, 41.5], lon: [114, 3, 28.2] } as const;

type Entry = { tag: number; type: 1 | 2 | 3 | 4 | 5; values: number[] | string };

/**
 * A TIFF block as in Exif: IFD0 with Make and Orientation, and (withGps) a GPS IFD with
 * version, N/E references, latitude and longitude as rationals.
 */
export function exifTiff(options: { orientation?: number; withGps?: boolean; littleEndian?: boolean } = {}): Buffer {
  const le = options.littleEndian ?? true;
  const rational = (dms: readonly number[]) => dms.flatMap((v) => [Math.round(v * 10), 10]);
  const ifd0: Entry[] = [{ tag: 0x010f, type: 2, values: 'GongzhiTestCam' }];
  if (options.orientation) ifd0.push({ tag: 0x0112, type: 3, values: [options.orientation] });
  const gps: Entry[] = [
    { tag: 0x0000, type: 1, values: [2, 3, 0, 0] },
    { tag: 0x0001, type: 2, values: 'N' },
    { tag: 0x0002, type: 5, values: rational(GPS.lat) },
    { tag: 0x0003, type: 2, values: 'E' },
    { tag: 0x0004, type: 5, values: rational(GPS.lon) },
  ];
  if (options.withGps ?? true) ifd0.push({ tag: 0x8825, type: 4, values: [0] }); // patched below

  const size = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 4 } as const;
  const bytesOf = (e: Entry) => (typeof e.values === 'string' ? e.values.length + 1 : e.values.length * size[e.type]);
  const ifdLength = (entries: Entry[]) => 2 + entries.length * 12 + 4;
  const outOfLine = (entries: Entry[]) => entries.reduce((n, e) => n + (bytesOf(e) > 4 ? bytesOf(e) + (bytesOf(e) & 1) : 0), 0);
  const ifd0At = 8;
  const gpsAt = ifd0At + ifdLength(ifd0) + outOfLine(ifd0);
  const total = gpsAt + (options.withGps ?? true ? ifdLength(gps) + outOfLine(gps) : 0);
  const out = Buffer.alloc(total);
  const u16 = (v: number, at: number) => (le ? out.writeUInt16LE(v, at) : out.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (le ? out.writeUInt32LE(v, at) : out.writeUInt32BE(v, at));
  out.write(le ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(ifd0At, 4);
  const writeIfd = (entries: Entry[], at: number) => {
    u16(entries.length, at);
    let data = at + ifdLength(entries);
    entries.forEach((e, i) => {
      const p = at + 2 + i * 12;
      const count = typeof e.values === 'string' ? e.values.length + 1 : e.type === 5 ? e.values.length / 2 : e.values.length;
      u16(e.tag, p);
      u16(e.type, p + 2);
      u32(count, p + 4);
      const target = bytesOf(e) > 4 ? data : p + 8;
      if (bytesOf(e) > 4) {
        u32(data, p + 8);
        data += bytesOf(e) + (bytesOf(e) & 1);
      }
      if (typeof e.values === 'string') out.write(e.values, target, 'latin1');
      else if (e.tag === 0x8825) u32(gpsAt, target);
      else e.values.forEach((v, k) => (e.type === 1 ? out.writeUInt8(v, target + k) : e.type === 3 ? u16(v, target + 2 * k) : u32(v, target + 4 * k)));
    });
    u32(0, at + 2 + entries.length * 12);
  };
  writeIfd(ifd0, ifd0At);
  if (options.withGps ?? true) writeIfd(gps, gpsAt);
  return out;
}

/** The latitude's rationals as they sit in the TIFF block: bytes that must not survive. */
export function gpsLatitudeBytes(littleEndian = true): Buffer {
  const b = Buffer.alloc(24);
  [220, 10, 320, 10, 415, 10].forEach((v, i) => (littleEndian ? b.writeUInt32LE(v, i * 4) : b.writeUInt32BE(v, i * 4)));
  return b;
}

export const XMP = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="22,32.69N" exif:GPSLongitude="114,3.47E"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
const XMP_NS = 'http://ns.adobe.com/xap/1.0/\0';

/** Pixels that are easy to tell apart: a gradient. */
export function rgba(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = ((x + y) * 7) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

/** A baseline JPEG straight from the encoder (SOI, JFIF APP0, tables, one scan, EOI). */
export function plainJpeg(width: number, height: number): Buffer {
  return jpeg.encode({ width, height, data: rgba(width, height) }, 85).data;
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/**
 * A JPEG as a phone leaves it: Exif (Make, Orientation, GPS IFD) and XMP in APP1, an extended
 * XMP, Photoshop/IPTC APP13 naming the place, MPF-like APP2, a comment, and a second JPEG with
 * its own Exif appended after EOI (as MPF secondary images are).
 */
export function phoneJpeg(width: number, height: number, options: { orientation?: number; littleEndian?: boolean } = {}): Buffer {
  const plain = plainJpeg(width, height);
  // The encoder writes SOI then JFIF APP0; the metadata goes after APP0.
  const app0End = 2 + 2 + plain.readUInt16BE(4);
  const exif = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(options)]));
  const xmp = segment(0xe1, Buffer.from(XMP_NS + XMP, 'utf8'));
  const xmpExt = segment(0xe1, Buffer.from('http://ns.adobe.com/xmp/extension/\0' + '0'.repeat(32) + '<exif:GPSAltitude>12</exif:GPSAltitude>', 'utf8'));
  const iptc = segment(0xed, Buffer.from('Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x16\x1c\x02\x5a\0\x12Shenzhen Futian 1F', 'latin1'));
  const mpf = segment(0xe2, Buffer.from('MPF\0II*\0\x08\0\0\0', 'latin1'));
  const comment = segment(0xfe, Buffer.from('GPS 22.544861,114.057833', 'latin1'));
  const appended = phoneTrailer();
  return Buffer.concat([plain.subarray(0, app0End), exif, xmp, xmpExt, mpf, iptc, comment, plain.subarray(app0End), appended]);
}

function phoneTrailer(): Buffer {
  const small = plainJpeg(8, 8);
  const exif = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff({ littleEndian: true })]));
  return Buffer.concat([small.subarray(0, 2), exif, small.subarray(2)]);
}

// ---------------------------------------------------------------- PNG

export function pngChunk(type: string, body: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write(type, 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length);
  return chunk;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Raw scanlines (filter 0, RGB, 8 bits) of the gradient: what the IDAT data inflates to. */
export function pngScanlines(width: number, height: number): Buffer {
  const px = rgba(width, height);
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) px.copy(raw, y * (1 + width * 3) + 1 + x * 3, (y * width + x) * 4, (y * width + x) * 4 + 3);
  }
  return raw;
}

export function ihdr(width: number, height: number): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = 8; // bit depth
  b[9] = 2; // RGB
  return b;
}

/** A PNG with metadata: tEXt, zTXt, iTXt XMP, eXIf with GPS, tIME, a private chunk, a trailer. The IDAT is split in two. */
export function phonePng(width: number, height: number, options: { orientation?: number } = {}): Buffer {
  const idat = deflateSync(pngScanlines(width, height));
  const half = idat.length >> 1;
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr(width, height)),
    pngChunk('sRGB', Buffer.from([0])),
    pngChunk('tEXt', Buffer.from('Comment\0GPS 22.544861,114.057833', 'latin1')),
    pngChunk('zTXt', Buffer.concat([Buffer.from('Raw profile type exif\0\0', 'latin1'), deflateSync(Buffer.from('GPSLatitude 22.544861'))])),
    pngChunk('iTXt', Buffer.from(`XML:com.adobe.xmp\0\0\0\0\0${XMP}`, 'utf8')),
    pngChunk('eXIf', exifTiff({ orientation: options.orientation, littleEndian: false })),
    pngChunk('tIME', Buffer.from([0x07, 0xea, 11, 23, 10, 0, 0])),
    pngChunk('prVt', Buffer.from('lat=22.544861;lon=114.057833', 'latin1')),
    pngChunk('IDAT', idat.subarray(0, half)),
    pngChunk('IDAT', idat.subarray(half)),
    pngChunk('IEND', Buffer.alloc(0)),
    Buffer.from('GPS trailer 22.544861', 'latin1'),
  ]);
}

// ---------------------------------------------------------------- WebP

/** 24×16 lossy and lossless WebPs from libwebp, and a 1×1 animation (ANIM + one ANMF frame). */
export const WEBP_LOSSY_24x16 = Buffer.from(
  'UklGRkYAAABXRUJQVlA4IDoAAAAQAwCdASoYABAAPm0skUWkIqGYBABABsSgB2APwAAQigAA/u52f//5SrwWN0ef//YO/oO/oO/04AAA',
  'base64',
);
export const WEBP_LOSSLESS_24x16 = Buffer.from('UklGRh4AAABXRUJQVlA4TBEAAAAvF8ADEAdQy1JUoYCBiOh/AAA=', 'base64');
export const WEBP_ANIMATED_1x1 = Buffer.from(
  'UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAAAAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA',
  'base64',
);

export function riffChunk(fourcc: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat(body.length & 1 ? [head, body, Buffer.alloc(1)] : [head, body]);
}

export function riff(chunks: Buffer[]): Buffer {
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + chunks.reduce((n, c) => n + c.length, 0), 4);
  head.write('WEBP', 8, 'latin1');
  return Buffer.concat([head, ...chunks]);
}

/** The bitstream chunk (VP8 or VP8L, with its header) of a simple-format WebP. */
export function webpBitstream(simple: Buffer): Buffer {
  return simple.subarray(12, 8 + simple.readUInt32LE(4));
}

export function vp8x(flags: number, width: number, height: number): Buffer {
  const b = Buffer.alloc(10);
  b[0] = flags;
  b.writeUIntLE(width - 1, 4, 3);
  b.writeUIntLE(height - 1, 7, 3);
  return riffChunk('VP8X', b);
}

/** The lossy 24×16 picture in the extended format with EXIF (GPS) and XMP chunks and an unknown chunk. */
export function phoneWebp(options: { orientation?: number } = {}): Buffer {
  return riff([
    vp8x(0x08 | 0x04, 24, 16),
    webpBitstream(WEBP_LOSSY_24x16),
    riffChunk('EXIF', exifTiff({ orientation: options.orientation })),
    riffChunk('XMP ', Buffer.from(XMP, 'utf8')),
    riffChunk('gpsX', Buffer.from('lat=22.544861', 'latin1')),
  ]);
}

// ---------------------------------------------------------------- multipart

/** A multipart/form-data body; files are [field, filename, content type, bytes]. */
export function multipartBody(fields: Record<string, string>, files: [string, string, string, Buffer][]): { body: Buffer; contentType: string } {
  const boundary = `----gongzhi${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const [name, filename, type, data] of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`));
    parts.push(data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Hostile and odd image files, generated at test time (nothing binary is checked in). Each kind names the outcome
 * the tool must reach: `ok` (a usable photo: fingerprinted and normalised to a JPEG) or the PhotoDecodeError code
 * of the one clear per-user error. Add a case: append to HOSTILE_IMAGES with its bytes and expected outcome.
 */
import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { pngDeclaring, noise, truncated } from '../../../mocks/fixtures/photos/bad.js';

export type Outcome = 'ok' | 'empty' | 'not-an-image' | 'unsupported-format' | 'too-many-pixels' | 'corrupt' | 'too-small';

export interface HostileImage {
  name: string;
  expect: Outcome;
  make(): Promise<Buffer>;
}

const solid = (width: number, height: number, channels: 3 | 4 = 3): Sharp =>
  sharp({ create: { width, height, channels, background: channels === 4 ? { r: 40, g: 90, b: 160, alpha: 0.5 } : '#285aa0' } });

/** A PNG chunk: length, type, data, CRC over type+data. */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A valid PNG with `extra` chunks inserted after IHDR. */
async function pngWith(extra: Buffer[]): Promise<Buffer> {
  const png = await solid(96, 96).png().toBuffer();
  const ihdrEnd = 8 + 25;
  return Buffer.concat([png.subarray(0, ihdrEnd), ...extra, png.subarray(ihdrEnd)]);
}

/** A PNG whose IDAT inflates to width×height grey bytes of zeros (a zlib bomb of `ratio` 1000:1 and more). */
function pngZlibBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height); // filter byte 0 + zero pixels per row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG whose SOF0 frame header declares width×height (the scan data is that of a small image). */
async function jpegDeclaring(width: number, height: number): Promise<Buffer> {
  const jpg = Buffer.from(await solid(64, 64).jpeg({ mozjpeg: false }).toBuffer());
  for (let i = 2; i < jpg.length - 8; ) {
    if (jpg[i] !== 0xff) break;
    const marker = jpg[i + 1] as number;
    const len = jpg.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      jpg.writeUInt16BE(height, i + 5);
      jpg.writeUInt16BE(width, i + 7);
      return jpg;
    }
    i += 2 + len;
  }
  throw new Error('no SOF marker');
}

/** An ISO-BMFF file header with the given brand (HEIC, AVIF): enough for every sniffer, no decoder needed. */
function isoBmff(brand: string): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftyp', 4, 'latin1');
  ftyp.write(brand, 8, 'latin1');
  ftyp.write('mif1', 16, 'latin1');
  return Buffer.concat([ftyp, noise(2000)]);
}

const text = (s: string): Promise<Buffer> => Promise.resolve(Buffer.from(s, 'utf8'));

export const HOSTILE_IMAGES: HostileImage[] = [
  // Sizes around the usable minimum (src/photo/usable.ts).
  { name: '1x1 png', expect: 'too-small', make: () => solid(1, 1).png().toBuffer() },
  { name: '1x1000 strip', expect: 'too-small', make: () => solid(1, 1000).png().toBuffer() },
  { name: '1000x1 strip', expect: 'too-small', make: () => solid(1000, 1).jpeg().toBuffer() },
  { name: '47x47 jpeg', expect: 'too-small', make: () => solid(47, 47).jpeg().toBuffer() },
  { name: '47x900 jpeg', expect: 'too-small', make: () => solid(47, 900).jpeg().toBuffer() },
  { name: '48x48 jpeg', expect: 'ok', make: () => solid(48, 48).jpeg().toBuffer() },
  { name: 'exif-rotated 1000x2 strip', expect: 'too-small', make: () => solid(1000, 2).jpeg().withMetadata({ orientation: 6 }).toBuffer() },
  // Not images, or not supported.
  { name: 'empty', expect: 'empty', make: () => Promise.resolve(Buffer.alloc(0)) },
  { name: 'text (.env)', expect: 'not-an-image', make: () => text('HPS_CLIENT_SECRET=SuperSecret1\n') },
  { name: 'html', expect: 'not-an-image', make: () => text('<!doctype html><html><body>hi</body></html>') },
  { name: 'random noise', expect: 'not-an-image', make: () => Promise.resolve(noise(4096)) },
  { name: 'zeros', expect: 'not-an-image', make: () => Promise.resolve(Buffer.alloc(4096)) },
  { name: 'svg with hrefs', expect: 'unsupported-format', make: () => text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="200"><image href="file:///etc/passwd" width="200" height="200"/><image xlink:href="https://attacker.example/x.png"/></svg>') },
  { name: 'svg behind xml prolog', expect: 'unsupported-format', make: () => text('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>') },
  { name: 'heic', expect: 'unsupported-format', make: () => Promise.resolve(isoBmff('heic')) },
  { name: 'avif', expect: 'unsupported-format', make: () => Promise.resolve(isoBmff('avif')) },
  { name: 'pdf', expect: 'unsupported-format', make: () => text('%PDF-1.7\n1 0 obj <<>> endobj\n') },
  { name: 'psd', expect: 'unsupported-format', make: () => Promise.resolve(Buffer.concat([Buffer.from('8BPS'), noise(200)])) },
  { name: 'bmp', expect: 'unsupported-format', make: () => Promise.resolve(Buffer.concat([Buffer.from('BM'), noise(200)])) },
  { name: 'ico', expect: 'unsupported-format', make: () => Promise.resolve(Buffer.concat([Buffer.from([0, 0, 1, 0]), noise(200)])) },
  { name: 'jpeg xl', expect: 'unsupported-format', make: () => Promise.resolve(Buffer.concat([Buffer.from([0xff, 0x0a]), noise(200)])) },
  { name: 'jpeg 2000', expect: 'unsupported-format', make: () => Promise.resolve(Buffer.concat([Buffer.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]), noise(200)])) },
  // Broken files of supported formats.
  { name: 'jpeg SOI then noise', expect: 'corrupt', make: () => Promise.resolve(noise(4096, [0xff, 0xd8, 0xff])) },
  { name: 'truncated jpeg body', expect: 'corrupt', make: async () => { const j = await solid(300, 300).jpeg().toBuffer(); return truncated(j, Math.floor(j.length / 2)); } },
  { name: 'truncated png header', expect: 'corrupt', make: async () => truncated(await solid(96, 96).png().toBuffer(), 20) },
  { name: 'png with a bad CRC', expect: 'corrupt', make: async () => { const p = Buffer.from(await solid(96, 96).png().toBuffer()); p[30] = (p[30] ?? 0) ^ 0xff; return p; } },
  { name: 'gif header only', expect: 'corrupt', make: () => Promise.resolve(Buffer.from('GIF89a')) },
  // Bombs and huge declared sizes: refused from the header, before any pixel is decoded.
  { name: 'png declaring 100000x100000', expect: 'too-many-pixels', make: () => pngDeclaring(100_000, 100_000) },
  { name: 'png declaring 2^31-1 wide', expect: 'corrupt', make: () => pngDeclaring(2 ** 31 - 1, 1) },
  { name: 'jpeg declaring 65500x65500', expect: 'too-many-pixels', make: () => jpegDeclaring(65_500, 65_500) },
  { name: 'png zlib bomb (8000x8000 zeros, 64 MB in 64 KB)', expect: 'too-many-pixels', make: () => Promise.resolve(pngZlibBomb(8000, 8000)) },
  { name: 'png zlib bomb under the pixel limit (7000x7000)', expect: 'ok', make: () => Promise.resolve(pngZlibBomb(7000, 7000)) },
  { name: 'png zTXt bomb (64 MB of text in 64 KB)', expect: 'ok', make: () => pngWith([chunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0'), deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x41), { level: 9 })]))]) },
  { name: 'png iCCP bomb (64 MB profile in 64 KB)', expect: 'ok', make: () => pngWith([chunk('iCCP', Buffer.concat([Buffer.from('icc\0\0'), deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 })]))]) },
  // Odd but legitimate: must work.
  { name: 'animated gif (first frame used)', expect: 'ok', make: () => sharp(noise(96 * 96 * 3 * 4), { raw: { width: 96, height: 96 * 3, channels: 4, pageHeight: 96 } }).gif({ loop: 0, delay: [100, 100, 100] }).toBuffer() },
  { name: '16-bit png', expect: 'ok', make: () => solid(120, 120).toColourspace('rgb16').png().toBuffer() },
  { name: 'cmyk jpeg', expect: 'ok', make: () => solid(120, 120).toColourspace('cmyk').jpeg().toBuffer() },
  { name: 'alpha-only png (transparent content)', expect: 'ok', make: () => sharp(Buffer.alloc(100 * 100 * 4, 0), { raw: { width: 100, height: 100, channels: 4 } }).png().toBuffer() },
  { name: 'grey+alpha png', expect: 'ok', make: () => solid(100, 100, 4).toColourspace('b-w').png().toBuffer() },
  { name: 'tiff', expect: 'ok', make: () => solid(100, 100).tiff().toBuffer() },
  { name: 'webp', expect: 'ok', make: () => solid(100, 100).webp().toBuffer() },
  { name: 'progressive jpeg', expect: 'ok', make: () => solid(200, 200).jpeg({ progressive: true }).toBuffer() },
  { name: 'exif-rotated 600x200', expect: 'ok', make: () => solid(600, 200).jpeg().withMetadata({ orientation: 8 }).toBuffer() },
];

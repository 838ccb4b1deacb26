/**
 * The JPEG frame header reader and the square-JPEG fast path of the fingerprint (src/photo/jpeg-frame.ts,
 * openSquareJpeg in decode.ts): sizes and components as sharp reports them, nothing for what is not a plain square
 * JPEG, the same guards as the full open, and prints equal to what the full open (crop, then resize) would give
 * within a small part of every threshold.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { comparePrints, fingerprint, PhotoDecodeError } from '../../src/photo/index.js';
import { openPhoto, openSquareJpeg } from '../../src/photo/decode.js';
import { readJpegFrame } from '../../src/photo/jpeg-frame.js';
import { centreSquare } from '../../src/photo/geometry.js';
import { encodeGrid, splitThumbnail } from '../../src/photo/colour-grid.js';
import { phashFromGrey } from '../../src/photo/fingerprint.js';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';

const photo = realPhoto('grace-hopper.jpg');
const square = (side: number): Promise<Buffer> => sharp(photo).resize(side, side).jpeg({ quality: 85 }).toBuffer();

describe('photo/jpeg-frame', () => {
  it('reads the size, precision and components of baseline, progressive, greyscale and CMYK JPEGs', async () => {
    const cases: [Buffer, number][] = [
      [await sharp(photo).resize(300, 200).jpeg().toBuffer(), 3],
      [await sharp(photo).resize(300, 200).jpeg({ progressive: true }).toBuffer(), 3],
      [await sharp(photo).resize(300, 200).toColourspace('b-w').jpeg().toBuffer(), 1],
      [await sharp(photo).resize(300, 200).toColourspace('cmyk').jpeg().toBuffer(), 4],
      [await sharp(photo).resize(300, 200).withExif({ IFD0: { Artist: 'x'.repeat(3000) } }).jpeg().toBuffer(), 3],
    ];
    for (const [bytes, components] of cases) {
      assert.deepEqual(readJpegFrame(bytes), { width: 300, height: 200, precision: 8, components });
    }
  });

  it('gives nothing for other formats, a truncated header, or data that ends before a frame', async () => {
    const jpeg = await square(96);
    assert.equal(readJpegFrame(await sharp(jpeg).png().toBuffer()), undefined);
    assert.equal(readJpegFrame(jpeg.subarray(0, 20)), undefined);
    assert.equal(readJpegFrame(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), undefined);
    assert.equal(readJpegFrame(Buffer.alloc(0)), undefined);
  });
});

describe('photo/decode openSquareJpeg (the fingerprint fast path)', () => {
  it('opens a square sRGB or greyscale JPEG, and nothing else', async () => {
    assert.equal(openSquareJpeg(await square(240))?.side, 240);
    assert.equal(openSquareJpeg(await sharp(await square(96)).toColourspace('b-w').jpeg().toBuffer())?.side, 96);
    assert.equal(openSquareJpeg(await sharp(photo).resize(240, 200).jpeg().toBuffer()), undefined);
    assert.equal(openSquareJpeg(await sharp(await square(96)).toColourspace('cmyk').jpeg().toBuffer()), undefined);
    assert.equal(openSquareJpeg(await sharp(await square(96)).png().toBuffer()), undefined);
  });

  it('leaves a photo over the pixel limit to the full open, which refuses it before decoding', async () => {
    const big = await square(648);
    assert.equal(openSquareJpeg(big, { maxPixels: 400_000 }), undefined);
    await assert.rejects(fingerprint(big, { maxPixels: 400_000 }), (e: unknown) => e instanceof PhotoDecodeError && e.code === 'too-many-pixels');
  });

  it('refuses a truncated square JPEG as corrupt', async () => {
    const cut = (await square(648)).subarray(0, 4000);
    await assert.rejects(fingerprint(cut), (e: unknown) => e instanceof PhotoDecodeError && e.code === 'corrupt');
  });

  it('prints a square JPEG as the full open (full decode, crop, resize) does, within 0.6 of every threshold', async () => {
    for (const side of [96, 240, 360, 512, 648]) {
      const bytes = await square(side);
      const fast = await fingerprint(bytes);
      const opened = await openPhoto(bytes);
      const rgb = await opened
        .pipeline()
        .extract(centreSquare(side, side))
        .resize(64, 64, { fit: 'fill', kernel: 'mitchell', fastShrinkOnLoad: false })
        .toColourspace('srgb')
        .raw()
        .toBuffer();
      const { grey, grid } = splitThumbnail(rgb, 64);
      const full = { ...fast, sha256: 'full decode', phash: phashFromGrey(grey), colour: encodeGrid(grid) };
      const r = comparePrints(fast, full);
      for (const [m, v] of Object.entries(r.ratios)) assert.ok(v <= 0.6, `${side} px: ${m} at ${v.toFixed(2)}× its threshold`);
    }
  });
});

/**
 * The lossless path of the upload normaliser (src/photo/jpeg-clean.ts): a square baseline JFIF JPEG within the limits
 * keeps its JPEG data with its metadata cut out and the same pixels; everything the re-encoding path exists for
 * (EXIF orientation, colour profiles, greyscale, progressive, other shapes and sizes, damage) is left to it.
 */
import assert from 'node:assert/strict';
import sharp, { type Sharp } from 'sharp';
import { normaliseForUpload, PhotoDecodeError } from '../../src/photo/index.js';
import { cleanSquareJpeg } from '../../src/photo/jpeg-clean.js';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';

const photo = realPhoto('grace-hopper.jpg');
const limits = { minSide: 48, maxSide: 648, maxBytes: 4 * 1024 * 1024 };
const square = (side: number, extra: (s: Sharp) => Sharp = (s) => s): Promise<Buffer> =>
  extra(sharp(photo).resize(side, side)).jpeg({ quality: 85 }).toBuffer();

/** A marker segment: FF marker, 16-bit length (itself included), payload. */
function segment(marker: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const head = Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([head, body]);
}

/** `jpeg` with `segments` inserted after SOI (where cameras and editors put metadata). */
function withSegments(jpeg: Buffer, ...segments: Buffer[]): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

const pixels = async (jpeg: Buffer): Promise<Buffer> => sharp(jpeg).raw().toBuffer();

describe('photo/jpeg-clean', () => {
  it('keeps a clean square JPEG byte for byte', async () => {
    const jpeg = await square(240);
    assert.deepEqual(cleanSquareJpeg(jpeg, limits), { jpeg, side: 240 });
  });

  it('cuts XMP, comments, IPTC and data after the end marker, keeping JFIF and the pixels', async () => {
    const jpeg = await square(144);
    const jfif = segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
    assert.deepEqual(cleanSquareJpeg(withSegments(jpeg, jfif), limits)?.jpeg, withSegments(jpeg, jfif));
    const xmp = segment(0xe1, 'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPS 51.5,-0.1</x:xmpmeta>');
    const dirty = Buffer.concat([withSegments(jpeg, xmp, segment(0xfe, 'a comment'), segment(0xed, 'Photoshop 3.0\0IPTC')), Buffer.from('trailing junk')]);
    const out = cleanSquareJpeg(dirty, limits);
    assert.ok(out);
    assert.deepEqual(out.jpeg, jpeg);
    assert.deepEqual(await pixels(out.jpeg), await pixels(dirty));
  });

  it('walks scans with stuffed bytes and restart markers', async () => {
    // mozjpeg's restart interval puts RSTn markers in the entropy-coded data; an FF in the data is stuffed as FF00.
    const jpeg = await sharp(photo).resize(200, 200).jpeg({ quality: 95, mozjpeg: false }).toBuffer();
    assert.ok(jpeg.includes(Buffer.from([0xff, 0x00])), 'the fixture has stuffed bytes');
    assert.deepEqual(cleanSquareJpeg(jpeg, limits)?.jpeg, jpeg);
  });

  it('leaves to re-encoding what needs it', async () => {
    const exif = await square(200, (s) => s.withExif({ IFD0: { Artist: 'someone' } }));
    const icc = await square(200, (s) => s.withIccProfile('p3'));
    const cases: Record<string, Buffer> = {
      'EXIF (may rotate)': exif,
      'an ICC profile': icc,
      progressive: await sharp(photo).resize(200, 200).jpeg({ progressive: true }).toBuffer(),
      greyscale: await square(200, (s) => s.toColourspace('b-w')),
      'not square': await sharp(photo).resize(200, 180).jpeg().toBuffer(),
      'larger than 648 px': await square(700),
      'smaller than 48 px': await square(40),
      PNG: await sharp(photo).resize(200, 200).png().toBuffer(),
      'Adobe colour transform': withSegments(await square(200), segment(0xee, 'Adobe\0\x64\0\0\0\0\0')),
    };
    for (const [why, bytes] of Object.entries(cases)) assert.equal(cleanSquareJpeg(bytes, limits), undefined, why);
    const jpeg = await square(200);
    assert.equal(cleanSquareJpeg(jpeg, { ...limits, maxBytes: jpeg.length - 1 }), undefined, 'over maxBytes');
    assert.equal(cleanSquareJpeg(jpeg.subarray(0, jpeg.length - 300), limits), undefined, 'truncated');
  });

  it('normaliseForUpload keeps the JPEG data of a clean photo and still refuses a damaged one', async () => {
    const jpeg = await square(240);
    const dirty = withSegments(jpeg, segment(0xfe, 'scanned 2019'));
    const out = await normaliseForUpload(dirty);
    assert.deepEqual(out, { jpeg, width: 240, height: 240 });
    // A Huffman table whose code counts overflow: the structure walks, the decoder refuses it (caught by the check
    // that runs unless the caller says it decoded these bytes already).
    const bogus = Buffer.from(jpeg);
    const dht = bogus.indexOf(Buffer.from([0xff, 0xc4]));
    bogus.fill(0xff, dht + 5, dht + 21);
    assert.ok(cleanSquareJpeg(bogus, limits));
    await assert.rejects(normaliseForUpload(bogus), PhotoDecodeError);
    // Cut inside the scan: not walked, and refused by the re-encoding path.
    await assert.rejects(normaliseForUpload(jpeg.subarray(0, jpeg.length - 400)), PhotoDecodeError);
    // The same photo re-encoded when it needs turning: EXIF orientation 6 gives a new JPEG.
    const turned = await normaliseForUpload(await square(240, (s) => s.withMetadata({ orientation: 6 })));
    assert.notEqual(turned.quality, undefined);
  });
});

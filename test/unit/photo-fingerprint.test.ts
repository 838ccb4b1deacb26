import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PhotoPrint } from '../../src/model.js';
import {
  comparePhotos,
  comparePrints,
  fingerprint,
  hashDistance,
  PHASH_BITS,
  PHOTO_DISTANCE_THRESHOLD,
  PhotoDecodeError,
  PhotoPrintError,
  sha256Hex,
} from '../../src/photo/index.js';
import { dctLowBlock, medianBitsHex } from '../../src/photo/dct.js';
import { PORTRAITS, REAL_PHOTOS, realPhoto, type RealPhotoName } from '../../mocks/fixtures/photos/generate.js';
import { sameCopies, withOrientation, type PhotoVariant } from '../../mocks/fixtures/photos/variants.js';

interface Printed {
  name: RealPhotoName;
  original: PhotoPrint;
  copies: { variant: PhotoVariant; print: PhotoPrint }[];
}

describe('photo/fingerprint + compare on real photographs', () => {
  let printed: Printed[] = [];

  before(async () => {
    printed = await Promise.all(
      REAL_PHOTOS.map(async (name) => {
        const bytes = realPhoto(name);
        const copies = await sameCopies(bytes);
        return {
          name,
          original: await fingerprint(bytes),
          copies: await Promise.all(copies.map(async (variant) => ({ variant, print: await fingerprint(variant.bytes) }))),
        };
      }),
    );
  });

  it('produces a 256-bit hash, the sha256 of the bytes and the displayed size', async () => {
    const bytes = realPhoto('grace-hopper.jpg');
    const print = await fingerprint(bytes);
    assert.match(print.phash, /^[0-9a-f]{64}$/);
    assert.equal(PHASH_BITS, 256);
    assert.equal(print.sha256, sha256Hex(bytes));
    assert.deepEqual([print.width, print.height], [512, 600]);
    assert.deepEqual(await fingerprint(bytes), print, 'deterministic');
  });

  it('has every copy (re-encoded q60/75/90, resized 648/240/96, upscaled, EXIF added/stripped, orientations 2–8, PNG, cloud 648/240/96) the same', () => {
    const names = printed[0]?.copies.map((c) => c.variant.name) ?? [];
    for (const expected of ['reencode-q60', 'resize-96', 'exif-stripped', 'orientation-6', 'cloud-648', 'cloud-96']) {
      assert.ok(names.includes(expected), `variant ${expected} exercised`);
    }
    for (const p of printed) {
      for (const { variant, print } of p.copies) {
        assert.notEqual(print.sha256, p.original.sha256, `${p.name} ${variant.name}: bytes differ`);
        const cmp = comparePrints(p.original, print);
        assert.ok(cmp.same, `${p.name} ${variant.name}: distance ${cmp.distance} > ${cmp.threshold}`);
        assert.ok(cmp.distance <= PHOTO_DISTANCE_THRESHOLD / 2, `${p.name} ${variant.name}: keeps a 2× margin (${cmp.distance})`);
      }
    }
  });

  it('tells every pair of different photographs apart, including all their copies', () => {
    let min = 1;
    for (let a = 0; a < printed.length; a++) {
      for (let b = a + 1; b < printed.length; b++) {
        const [pa, pb] = [printed[a]!, printed[b]!];
        const left = [pa.original, ...pa.copies.map((c) => c.print)];
        const right = [pb.original, ...pb.copies.map((c) => c.print)];
        for (const x of left) {
          for (const y of right) {
            const cmp = comparePrints(x, y);
            assert.equal(cmp.same, false, `${pa.name} vs ${pb.name}: distance ${cmp.distance}`);
            min = Math.min(min, cmp.distance);
          }
        }
      }
    }
    assert.ok(min >= PHOTO_DISTANCE_THRESHOLD * 1.5, `different photos keep a margin above the threshold (min ${min})`);
  });

  it('keeps portraits of different people far apart', () => {
    for (const a of PORTRAITS) {
      for (const b of PORTRAITS) {
        if (a === b) continue;
        const [pa, pb] = [printed.find((p) => p.name === a)!, printed.find((p) => p.name === b)!];
        assert.ok(comparePrints(pa.original, pb.original).distance > 0.35, `${a} vs ${b}`);
      }
    }
  });

  it('auto-orients: the same turned pixels without the EXIF tag are a different picture', async () => {
    const bytes = realPhoto('astronaut-eileen-collins.jpg');
    for (const orientation of [3, 6, 8]) {
      const tagged = await withOrientation(bytes, orientation);
      assert.equal((await sharp(tagged).metadata()).orientation, orientation);
      const untagged = await sharp(tagged).jpeg().toBuffer(); // sharp drops metadata: the tag is gone, pixels stay turned
      assert.equal((await sharp(untagged).metadata()).orientation, undefined);
      assert.equal((await comparePhotos(bytes, tagged)).same, true, `orientation ${orientation} tagged`);
      assert.equal((await comparePhotos(bytes, untagged)).same, false, `orientation ${orientation} untagged`);
    }
  });

  it('matches an AD thumbnail (96 px square) with the cloud copy of the 1200 px HR original', async () => {
    const hr = await sharp(realPhoto('grace-hopper.jpg')).resize(1024, 1200).jpeg({ quality: 95 }).toBuffer();
    const thumb = await sharp(hr).resize(96, 96, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer();
    const cloud = await sharp(hr).resize(648, 648, { fit: 'cover' }).jpeg({ quality: 70 }).toBuffer();
    const cmp = await comparePhotos(thumb, cloud);
    assert.ok(cmp.same, `distance ${cmp.distance}`);
  });

  it('flattens alpha on white: a transparent PNG matches its white-backed JPEG', async () => {
    const face = await sharp(realPhoto('grace-hopper.jpg')).resize(200, 200).png().toBuffer();
    const transparent = await sharp({
      create: { width: 300, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .composite([{ input: face, left: 50, top: 50 }])
      .png()
      .toBuffer();
    const onWhite = await sharp(transparent).flatten({ background: '#ffffff' }).jpeg().toBuffer();
    const onGrey = await sharp(transparent).flatten({ background: '#606060' }).jpeg().toBuffer();
    const white = await comparePhotos(transparent, onWhite);
    const grey = await comparePhotos(transparent, onGrey);
    assert.ok(white.distance < grey.distance, `white ${white.distance} closer than grey ${grey.distance}`);
    assert.ok(white.distance <= 0.02, `white ${white.distance}`);
  });

  it('hashes a flat image to zeros, so its copies stay the same picture', async () => {
    const flat = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#7a7a7a' } }).jpeg().toBuffer();
    const small = await sharp(flat).resize(50).jpeg({ quality: 50 }).toBuffer();
    assert.equal((await fingerprint(flat)).phash, '0'.repeat(64));
    assert.equal((await comparePhotos(flat, small)).distance, 0);
  });

  it('rejects bytes that are not a photo with PhotoDecodeError', async () => {
    await assert.rejects(fingerprint(Buffer.from('not a photo')), (e: unknown) => e instanceof PhotoDecodeError && e.code === 'not-an-image');
    const half = realPhoto('coffee.jpg').subarray(0, 20000);
    await assert.rejects(fingerprint(Buffer.from(half)), (e: unknown) => e instanceof PhotoDecodeError && e.code === 'corrupt');
  });
});

describe('photo/compare', () => {
  const print = (phash: string, sha256 = 'a'): PhotoPrint => ({ sha256, phash, width: 1, height: 1 });

  it('identical sha256 is distance 0 and the same, whatever the hashes', () => {
    const r = comparePrints(print('00', 'x'), print('ff', 'x'));
    assert.deepEqual([r.same, r.distance, r.threshold, r.colourCompared], [true, 0, PHOTO_DISTANCE_THRESHOLD, false]);
  });

  it('distance is the fraction of differing bits; the threshold is inclusive', () => {
    assert.equal(hashDistance('00ff', '00ff'), 0);
    assert.equal(hashDistance('0000', 'ffff'), 1);
    assert.equal(hashDistance('0f00', '0000'), 0.25);
    const bits = Math.round(PHOTO_DISTANCE_THRESHOLD * 256);
    const zero = '0'.repeat(64);
    const withBits = (n: number): string =>
      BigInt(`0b${'1'.repeat(n)}${'0'.repeat(256 - n)}`).toString(16).padStart(64, '0');
    assert.equal(comparePrints(print(zero, 'a'), print(withBits(bits), 'b')).same, bits / 256 <= PHOTO_DISTANCE_THRESHOLD);
    assert.equal(comparePrints(print(zero, 'a'), print(withBits(bits + 1), 'b')).same, false);
    assert.equal(comparePrints(print(zero, 'a'), print(withBits(bits - 1), 'b')).same, true);
  });

  it('refuses to compare hashes of different kinds', () => {
    assert.throws(() => comparePrints(print('00', 'a'), print('0000', 'b')), PhotoPrintError);
    assert.throws(() => hashDistance('zz', '00'), PhotoPrintError);
  });
});

describe('photo/dct', () => {
  it('puts a flat image entirely in the DC term (orthonormal scaling)', () => {
    const n = 8;
    const coeffs = dctLowBlock(new Array<number>(n * n).fill(10), n, n);
    assert.ok(Math.abs((coeffs[0] as number) - 10 * n) < 1e-9);
    for (let i = 1; i < coeffs.length; i++) assert.ok(Math.abs(coeffs[i] as number) < 1e-9);
  });

  it('preserves energy over the full block (Parseval) and finds a horizontal cosine where it belongs', () => {
    const n = 16;
    const px = Array.from({ length: n * n }, (_, i) => Math.cos(((2 * (i % n) + 1) * 3 * Math.PI) / (2 * n)));
    const coeffs = dctLowBlock(px, n, n);
    const energy = (xs: ArrayLike<number>): number => Array.from(xs).reduce((s, x) => s + x * x, 0);
    assert.ok(Math.abs(energy(coeffs) - energy(px)) < 1e-9);
    const peak = Array.from(coeffs).reduce((best, c, i, all) => (Math.abs(c) > Math.abs(all[best] as number) ? i : best), 0);
    assert.equal(peak, 3, 'vertical frequency 0, horizontal frequency 3');
  });

  it('sets bits above the median of the AC terms, DC bit always clear', () => {
    const coeffs = Float64Array.from([100, 10, 20, 30, 40, 50, 60, 70]);
    // AC terms have median 40: only 50, 60 and 70 (bits 5, 6, 7 of 0…7, most significant first) are above it.
    assert.equal(medianBitsHex(coeffs), '07');
    assert.equal(medianBitsHex(Float64Array.from([-100, 70, 60, 50, 40, 30, 20, 10])), '70');
    // Within FLAT_EPSILON (2 grey-level units) of the median is not above it: re-encoding noise on a flat picture.
    assert.equal(medianBitsHex(Float64Array.from([100, 0, 0.5, 1, 1.5, 1, 2.5, 0])), '00');
  });
});

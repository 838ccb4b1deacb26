import assert from 'node:assert/strict';
import sharp, { type Metadata } from 'sharp';
import {
  comparePhotos,
  DEFAULT_MAX_SIDE,
  inspectPhoto,
  MIN_QUALITY,
  normaliseForUpload,
  PhotoDecodeError,
  PhotoNormaliseError,
} from '../../src/photo/index.js';
import { qualityLadder } from '../../src/photo/normalise.js';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';
import { withOrientation } from '../../mocks/fixtures/photos/variants.js';

async function metadataOf(jpeg: Buffer): Promise<Metadata> {
  return sharp(jpeg).metadata();
}

describe('photo/normalise: normaliseForUpload', () => {
  it('makes a large non-square photo a 648 px square baseline sRGB JPEG', async () => {
    const big = await sharp(realPhoto('raccoon.jpg')).resize(1200, 900).jpeg({ quality: 95 }).toBuffer();
    const out = await normaliseForUpload(big);
    assert.equal(DEFAULT_MAX_SIDE, 648);
    assert.deepEqual([out.width, out.height], [648, 648]);
    const meta = await metadataOf(out.jpeg);
    assert.deepEqual([meta.format, meta.width, meta.height, meta.space, meta.channels], ['jpeg', 648, 648, 'srgb', 3]);
    assert.equal(meta.isProgressive, false);
    assert.ok((out.quality ?? 0) >= 80, 're-encoded, at a high quality');
    assert.ok((await comparePhotos(big, out.jpeg)).same, 'still the same picture');
  });

  it('never upscales: a 96 px thumbnail stays 96 px', async () => {
    const thumb = await sharp(realPhoto('grace-hopper.jpg')).resize(96, 112).jpeg({ quality: 80 }).toBuffer();
    const out = await normaliseForUpload(thumb);
    assert.deepEqual([out.width, out.height], [96, 96]);
    assert.equal((await metadataOf(out.jpeg)).width, 96);
  });

  it('keeps the centre square of a portrait (what the fingerprint compares)', async () => {
    const portrait = realPhoto('grace-hopper.jpg'); // 512×600
    const out = await normaliseForUpload(portrait);
    assert.deepEqual([out.width, out.height], [512, 512]);
    const top = await sharp(portrait).extract({ left: 0, top: 0, width: 512, height: 512 }).jpeg().toBuffer();
    const centre = await sharp(portrait).extract({ left: 0, top: 44, width: 512, height: 512 }).jpeg().toBuffer();
    assert.ok((await comparePhotos(centre, out.jpeg)).distance < (await comparePhotos(top, out.jpeg)).distance);
  });

  it('applies and drops EXIF orientation and strips all metadata', async () => {
    const tagged = await sharp(await withOrientation(realPhoto('grace-hopper.jpg'), 6))
      .withExifMerge({ IFD0: { Artist: 'HR', Copyright: 'private' } })
      .withIccProfile('srgb')
      .jpeg()
      .toBuffer();
    const before = await metadataOf(tagged);
    assert.ok(before.exif && before.icc && before.orientation === 6, 'input carries EXIF, ICC and orientation');
    const out = await normaliseForUpload(tagged, { maxSide: 300 });
    const meta = await metadataOf(out.jpeg);
    assert.equal(meta.exif, undefined);
    assert.equal(meta.icc, undefined);
    assert.equal(meta.xmp, undefined);
    assert.equal(meta.orientation, undefined);
    assert.deepEqual([meta.width, meta.height], [300, 300]);
    assert.ok((await comparePhotos(realPhoto('grace-hopper.jpg'), out.jpeg)).same, 'upright, like the original');
  });

  it('flattens alpha on white', async () => {
    const rgba = await sharp({
      create: { width: 80, height: 80, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .composite([{ input: await sharp(realPhoto('coffee.jpg')).resize(40, 40).png().toBuffer(), left: 20, top: 20 }])
      .png()
      .toBuffer();
    assert.equal((await inspectPhoto(rgba)).hasAlpha, true);
    const out = await normaliseForUpload(rgba);
    const { data, info } = await sharp(out.jpeg).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 3);
    for (const [x, y] of [[2, 2], [77, 2], [2, 77], [77, 77]] as const) {
      const at = (y * info.width + x) * 3;
      assert.ok([data[at], data[at + 1], data[at + 2]].every((v) => (v ?? 0) >= 245), `corner ${x},${y} is white`);
    }
  });

  it('makes greyscale input sRGB', async () => {
    const grey = await sharp(realPhoto('cameraman.jpg')).greyscale().toColourspace('b-w').jpeg().toBuffer();
    assert.equal((await metadataOf(grey)).channels, 1);
    const meta = await metadataOf((await normaliseForUpload(grey)).jpeg);
    assert.deepEqual([meta.channels, meta.space], [3, 'srgb']);
  });

  it('steps quality down to fit maxBytes', async () => {
    const photo = realPhoto('raccoon.jpg');
    const full = await normaliseForUpload(photo);
    const cap = Math.round(full.jpeg.length * 0.6);
    const out = await normaliseForUpload(photo, { maxBytes: cap });
    assert.ok(out.jpeg.length <= cap, `${out.jpeg.length} ≤ ${cap}`);
    assert.ok(out.quality !== undefined && full.quality !== undefined, 're-encoded');
    assert.ok(out.quality < full.quality, `quality ${out.quality} < ${full.quality}`);
    assert.ok(out.quality >= MIN_QUALITY);
    assert.deepEqual([out.width, out.height], [full.width, full.height]);
  });

  it('fails with too-large when even the lowest quality does not fit', async () => {
    await assert.rejects(
      normaliseForUpload(realPhoto('raccoon.jpg'), { maxBytes: 2000 }),
      (e: unknown) => e instanceof PhotoNormaliseError && e.code === 'too-large' && /2000 bytes/.test(e.message),
    );
  });

  it('rejects bad options and bad photos with typed errors', async () => {
    const photo = realPhoto('coffee.jpg');
    for (const opts of [{ maxSide: 0 }, { maxBytes: -1 }, { quality: 101 }, { quality: 10 }, { maxSide: 1.5 }]) {
      await assert.rejects(normaliseForUpload(photo, opts), (e: unknown) => e instanceof PhotoNormaliseError && e.code === 'invalid-options');
    }
    await assert.rejects(normaliseForUpload(Buffer.alloc(0)), (e: unknown) => e instanceof PhotoDecodeError && e.code === 'empty');
    await assert.rejects(
      normaliseForUpload(Buffer.from(photo.subarray(0, photo.length >> 1))),
      (e: unknown) => e instanceof PhotoDecodeError && e.code === 'corrupt',
    );
  });

  it('tries qualities from the asked one down in steps of 10', () => {
    assert.deepEqual(qualityLadder(90), [90, 80, 70, 60, 50, 40, 30]);
    assert.deepEqual(qualityLadder(85), [85, 80, 70, 60, 50, 40, 30]);
    assert.deepEqual(qualityLadder(30), [30]);
  });
});

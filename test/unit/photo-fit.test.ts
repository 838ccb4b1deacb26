import assert from 'node:assert/strict';
import sharp from 'sharp';
import { comparePhotos, PhotoDecodeError, PhotoNormaliseError } from '../../src/photo/index.js';
import { AD_THUMBNAIL_MAX_BYTES, fitPhoto, MAX_QUALITY, QUALITY_FLOOR, squarePhoto } from '../../src/photo/fit.js';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';
import { withOrientation } from '../../mocks/fixtures/photos/variants.js';

describe('photo/fit: fitPhoto (AD thumbnailPhoto within a byte budget)', () => {
  it('keeps a photo that fits at full quality, square, baseline, without metadata', async () => {
    const src = await sharp(realPhoto('grace-hopper.jpg')).withMetadata({ exif: { IFD0: { Artist: 'HR' } } }).jpeg({ quality: 90 }).toBuffer();
    const out = await fitPhoto(src);
    assert.equal(AD_THUMBNAIL_MAX_BYTES, 102_400);
    const meta = await sharp(out.jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.isProgressive, meta.exif, meta.icc], ['jpeg', 512, 512, false, undefined, undefined]);
    assert.equal(out.quality, MAX_QUALITY);
    assert.ok(out.jpeg.length <= AD_THUMBNAIL_MAX_BYTES);
  });

  it('crops a 3:4 portrait around the subject, not the centre: the face stays in', async () => {
    const out = await fitPhoto(realPhoto('grace-hopper.jpg'));
    // 512×600: a centre crop starts 44 px down; attention moves it to where the face and uniform detail are.
    assert.notEqual(out.crop.top, 44);
    assert.deepEqual([out.crop.left, out.crop.side, out.crop.width, out.crop.height], [0, 512, 512, 600]);
    const cropped = await sharp(realPhoto('grace-hopper.jpg')).extract({ left: 0, top: out.crop.top, width: 512, height: 512 }).jpeg().toBuffer();
    assert.ok((await comparePhotos(cropped, out.jpeg)).same, 'the output is that square');
  });

  it('shrinks a 120 KB photo under 100 KB at the largest side that keeps quality ≥ the floor', async () => {
    const big = await sharp(realPhoto('raccoon.jpg')).jpeg({ quality: 97 }).toBuffer();
    assert.ok(big.length > 120_000, `fixture is ${big.length} bytes`);
    const out = await fitPhoto(big);
    assert.ok(out.jpeg.length <= AD_THUMBNAIL_MAX_BYTES, `${out.jpeg.length}`);
    assert.equal(out.side, 600, 'no need to lose pixels');
    assert.ok(out.quality >= QUALITY_FLOOR && out.quality < MAX_QUALITY, `q${out.quality}`);
    assert.ok((await comparePhotos((await squarePhoto(big)).jpeg, out.jpeg)).same, 'the same picture as the full-size square');
    // Best quality: a budget one byte smaller than what it wrote costs quality or pixels.
    const tighter = await fitPhoto(big, { maxBytes: out.jpeg.length - 1 });
    assert.ok(tighter.quality < out.quality || tighter.side < out.side);
  });

  it('fits the old 10 KB budget by giving up pixels before quality', async () => {
    const out = await fitPhoto(realPhoto('astronaut-eileen-collins.jpg'), { maxBytes: 10_240 });
    assert.ok(out.jpeg.length <= 10_240);
    assert.ok(out.side < 512 && out.side >= 96, `${out.side}`);
    assert.ok(out.quality >= QUALITY_FLOOR);
    assert.ok(out.encodes <= 16, `${out.encodes} encodes`);
    assert.ok((await comparePhotos(realPhoto('astronaut-eileen-collins.jpg'), out.jpeg)).same);
  });

  it('is deterministic (a rerun compares byte-equal) and honours EXIF orientation', async () => {
    const src = realPhoto('cameraman.jpg');
    const a = await fitPhoto(src);
    const b = await fitPhoto(src);
    assert.ok(a.jpeg.equals(b.jpeg));
    const turned = await fitPhoto(await withOrientation(src, 6));
    assert.ok((await comparePhotos(a.jpeg, turned.jpeg)).same);
  });

  it('says why when it cannot: not an image, or a budget nothing fits', async () => {
    await assert.rejects(fitPhoto(Buffer.from('not a photo')), PhotoDecodeError);
    await assert.rejects(fitPhoto(realPhoto('raccoon.jpg'), { maxBytes: 10 }), (e: unknown) => e instanceof PhotoNormaliseError && e.code === 'invalid-options');
    await assert.rejects(fitPhoto(realPhoto('raccoon.jpg'), { maxBytes: 1024 }), (e: unknown) => e instanceof PhotoNormaliseError && e.code === 'too-large');
  });
});

import assert from 'node:assert/strict';
import sharp from 'sharp';
import {
  DEFAULT_MAX_PIXELS,
  inspectPhoto,
  isPlaceholder,
  PhotoDecodeError,
  sniffFormat,
  type PhotoDecodeErrorCode,
} from '../../src/photo/index.js';
import { openPhoto, toDecodeError } from '../../src/photo/decode.js';
import { noise, pngDeclaring, placeholderGif, truncated } from '../../mocks/fixtures/photos/bad.js';
import { REAL_PHOTOS, realPhoto } from '../../mocks/fixtures/photos/generate.js';
import { withOrientation } from '../../mocks/fixtures/photos/variants.js';

async function decodeError(bytes: Buffer, opts?: { maxPixels?: number }): Promise<PhotoDecodeError> {
  try {
    await inspectPhoto(bytes, opts);
  } catch (err) {
    assert.ok(err instanceof PhotoDecodeError, `expected PhotoDecodeError, got ${String(err)}`);
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('inspectPhoto accepted bad bytes');
}

async function expectCode(bytes: Buffer, code: PhotoDecodeErrorCode, message: RegExp): Promise<PhotoDecodeError> {
  const err = await decodeError(bytes);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  return err;
}

describe('photo/decode: inspectPhoto on real photographs', () => {
  for (const name of REAL_PHOTOS) {
    it(`reads ${name}`, async () => {
      const bytes = realPhoto(name);
      const raw = await sharp(bytes).metadata();
      const info = await inspectPhoto(bytes);
      assert.deepEqual(info, { format: 'jpeg', width: raw.width, height: raw.height, hasAlpha: false, bytes: bytes.length });
      assert.equal(isPlaceholder(info), false);
    });
  }

  it('reports displayed dimensions and the tag for an EXIF-rotated photo', async () => {
    const bytes = await withOrientation(realPhoto('grace-hopper.jpg'), 6);
    const stored = await sharp(bytes).metadata();
    assert.deepEqual([stored.width, stored.height], [600, 512], 'pixels are stored turned');
    const info = await inspectPhoto(bytes);
    assert.deepEqual([info.width, info.height, info.orientation], [512, 600, 6]);
  });

  it('accepts PNG (with alpha), GIF, WebP and TIFF', async () => {
    const base = sharp(realPhoto('coffee.jpg')).resize(120, 80);
    const cases: [string, Buffer, boolean][] = [
      ['png', await base.clone().ensureAlpha(0.5).png().toBuffer(), true],
      ['gif', await base.clone().gif().toBuffer(), false],
      ['webp', await base.clone().webp().toBuffer(), false],
      ['tiff', await base.clone().tiff().toBuffer(), false],
    ];
    for (const [format, bytes, alpha] of cases) {
      const info = await inspectPhoto(bytes);
      assert.equal(info.format, format);
      assert.deepEqual([info.width, info.height, info.hasAlpha], [120, 80, alpha], format);
    }
  });

  it('treats the 1×1 placeholder GIF as no photo', async () => {
    const info = await inspectPhoto(await placeholderGif());
    assert.equal(info.format, 'gif');
    assert.equal(isPlaceholder(info), true);
    assert.equal(isPlaceholder({ width: 2, height: 1 }), false);
  });
});

describe('photo/decode: bad input', () => {
  const photo = realPhoto('astronaut-eileen-collins.jpg');

  it('empty buffer → empty', async () => {
    await expectCode(Buffer.alloc(0), 'empty', /empty/);
  });

  it('a text file → not-an-image, quoting the text', async () => {
    await expectCode(Buffer.from('Name,Title\nAda,Engineer\n'), 'not-an-image', /not an image.*looks like text \(24 bytes; contents not shown\)/);
    await assert.rejects(openPhoto(Buffer.from('HPS_CLIENT_SECRET=SuperSecret1\n')), (err: Error) => !/SuperS|HPS_CLIENT/.test(err.message));
  });

  it('random bytes → not-an-image', async () => {
    await expectCode(noise(4096), 'not-an-image', /not an image/);
  });

  it('a JPEG cut inside its header → corrupt', async () => {
    const err = await expectCode(truncated(photo, 120), 'corrupt', /JPEG image is corrupt or truncated/);
    assert.ok(err.cause instanceof Error, 'keeps the decoder error as cause');
  });

  it("drops libvips' contentless \"Unknown error\" from the reason, keeps real detail", () => {
    const bare = toDecodeError(new Error('VipsJpeg: Unknown error\n'), 'jpeg');
    assert.equal(bare.code, 'corrupt');
    assert.equal(bare.message, 'The JPEG image is corrupt or truncated.');
    const detailed = toDecodeError(new Error('VipsJpeg: premature end of JPEG image\nUnknown error'), 'jpeg');
    assert.equal(detailed.message, 'The JPEG image is corrupt or truncated: premature end of JPEG image.');
  });

  it('a JPEG cut halfway through its body → corrupt (the full decode notices)', async () => {
    const half = truncated(photo, photo.length >> 1);
    const header = await sharp(half).metadata();
    assert.equal(header.width, 512, 'the header alone still looks fine');
    await expectCode(half, 'corrupt', /premature end/);
  });

  it('JPEG magic followed by garbage → corrupt', async () => {
    await expectCode(noise(2000, [0xff, 0xd8, 0xff]), 'corrupt', /corrupt/);
  });

  it('a PNG declaring 20000×20000 pixels → too-many-pixels, without decoding', async () => {
    const bomb = await pngDeclaring(20000, 20000);
    assert.ok(bomb.length < 200);
    await expectCode(bomb, 'too-many-pixels', /20000×20000.*decompression bomb/);
  });

  it('applies its own limit, below sharp’s default (10000×10000 = 100 MP > 50 MP)', async () => {
    assert.equal(DEFAULT_MAX_PIXELS, 50_000_000);
    await expectCode(await pngDeclaring(10000, 10000), 'too-many-pixels', /100 megapixels.*50 megapixels/);
  });

  it('honours maxPixels', async () => {
    const err = await decodeError(photo, { maxPixels: 100_000 });
    assert.equal(err.code, 'too-many-pixels');
    const info = await inspectPhoto(photo, { maxPixels: 512 * 512 });
    assert.equal(info.width, 512);
    await assert.rejects(inspectPhoto(photo, { maxPixels: 0 }), RangeError);
  });

  it('BMP, SVG and PDF → unsupported-format, never handed to a decoder', async () => {
    const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]);
    await expectCode(bmp, 'unsupported-format', /BMP images are not supported/);
    const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await expectCode(svg, 'unsupported-format', /SVG/);
    await expectCode(Buffer.from('%PDF-1.7\n...'), 'unsupported-format', /PDF/);
  });
});

describe('photo/sniff', () => {
  it('names formats from magic bytes', () => {
    assert.deepEqual(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), { kind: 'supported', format: 'jpeg' });
    assert.deepEqual(sniffFormat(Buffer.from('GIF89a....')), { kind: 'supported', format: 'gif' });
    assert.deepEqual(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), { kind: 'supported', format: 'webp' });
    assert.deepEqual(sniffFormat(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0')), { kind: 'unsupported', format: 'heif' });
    assert.deepEqual(sniffFormat(Buffer.from('\0\0\0\x18ftypavif\0\0\0\0')), { kind: 'unsupported', format: 'avif' });
    assert.deepEqual(sniffFormat(Buffer.from('hello')), { kind: 'unknown' });
    assert.deepEqual(sniffFormat(Buffer.from([0xff, 0xd8])), { kind: 'unknown' }, 'too short for a JPEG');
  });
});

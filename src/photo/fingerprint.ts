/**
 * Perceptual fingerprints. Microsoft 365 re-encodes and resizes every photo it stores, so bytes never match;
 * the pHash here survives that but not a different picture. See docs/photo-comparison.md for the measurements.
 *
 * Pipeline: EXIF auto-orient → alpha flattened on white → the centre square (the region the upload normaliser keeps)
 * → 64×64 sRGB (Mitchell filter; sharp converts ICC-tagged, CMYK and 16-bit input to 8-bit sRGB) → two halves:
 * - structure: grey (libvips' luminance) → 2-D DCT → the 16×16 lowest frequencies → one bit per coefficient, set
 *   when above the median of the 255 AC coefficients → 256 bits, 64 hex characters (`phash`);
 * - colour: 16×16 cells averaged in linear light → OKLab → 768 bytes (`colour`, see colour-grid.ts).
 * A square sRGB JPEG (every cloud copy, our uploads, most AD thumbnails) is resized without a crop, so that libjpeg
 * shrinks it on load (to no less than twice the sample: a 648 px photo decodes at 162 px); its prints stay within a
 * few hundredths of a threshold of the full decode's (docs/photo-comparison.md). Anything else is cropped first.
 */
import { createHash } from 'node:crypto';
import type { PhotoPrint } from '../model.js';
import { openPhoto, toDecodeError, type DecodeOptions } from './decode.js';
import { dctLowBlock, medianBitsHex } from './dct.js';
import { centreSquare } from './geometry.js';
import { encodeGrid, splitThumbnail } from './colour-grid.js';

/** Side of the thumbnail the DCT (grey) and the colour grid run on. */
export const PHASH_SAMPLE_SIDE = 64;
/** Side of the low-frequency DCT block kept: PHASH_BLOCK² bits. */
export const PHASH_BLOCK = 16;
/** Length in bits of `PhotoPrint.phash` (the first bit, from the DC term, is always 0). */
export const PHASH_BITS = PHASH_BLOCK * PHASH_BLOCK;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The perceptual hash of a row-major greyscale PHASH_SAMPLE_SIDE² thumbnail. Pure. */
export function phashFromGrey(grey: ArrayLike<number>): string {
  return medianBitsHex(dctLowBlock(grey, PHASH_SAMPLE_SIDE, PHASH_BLOCK));
}

/** Fingerprints photo bytes. Throws PhotoDecodeError for anything that is not a readable photo. */
export async function fingerprint(bytes: Buffer, opts?: DecodeOptions): Promise<PhotoPrint> {
  const opened = await openPhoto(bytes, opts);
  const { width, height } = opened.info;
  let rgb: Buffer;
  try {
    const square = opened.squareJpeg?.() ?? opened.pipeline().flatten({ background: '#ffffff' }).extract(centreSquare(width, height));
    rgb = await square
      .resize(PHASH_SAMPLE_SIDE, PHASH_SAMPLE_SIDE, { fit: 'fill', kernel: 'mitchell', fastShrinkOnLoad: false })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer();
  } catch (err) {
    throw toDecodeError(err, opened.info.format, opts?.maxPixels);
  }
  if (rgb.length !== PHASH_SAMPLE_SIDE * PHASH_SAMPLE_SIDE * 3) {
    throw new Error(`internal: expected a ${PHASH_SAMPLE_SIDE}² sRGB thumbnail, got ${rgb.length} bytes`);
  }
  const { grey, grid } = splitThumbnail(rgb, PHASH_SAMPLE_SIDE);
  return { sha256: sha256Hex(bytes), phash: phashFromGrey(grey), colour: encodeGrid(grid), width, height };
}

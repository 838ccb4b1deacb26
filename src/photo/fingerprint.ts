/**
 * Perceptual fingerprints. Microsoft 365 re-encodes and resizes every photo it stores, so bytes never match;
 * the pHash here survives that but not a different picture. See docs/photo-comparison.md for the measurements.
 *
 * Pipeline: EXIF auto-orient → alpha flattened on white → the centre square (the region the upload normaliser keeps)
 * → 64×64 sRGB (Mitchell filter; sharp converts ICC-tagged, CMYK and 16-bit input to 8-bit sRGB) → two halves:
 * - structure: grey (libvips' luminance) → 2-D DCT → the 16×16 lowest frequencies → one bit per coefficient, set
 *   when above the median of the 255 AC coefficients → 256 bits, 64 hex characters (`phash`);
 * - colour: 16×16 cells averaged in linear light → OKLab → 768 bytes (`colour`, see colour-grid.ts).
 * A square sRGB JPEG (every cloud copy, our uploads, most AD thumbnails) is opened from its frame header and resized
 * without a crop, so that libjpeg shrinks it on load (to no less than twice the sample: a 648 px photo decodes at
 * 162 px; see `openSquareJpeg`); its prints stay within half a threshold of the full decode's, the same verdicts on
 * the corpus (docs/photo-comparison.md). Anything else is opened by `openPhoto` and cropped first.
 */
import { createHash } from 'node:crypto';
import type { PhotoPrint } from '../model.js';
import { openPhoto, openSquareJpeg, toDecodeError, type DecodeOptions } from './decode.js';
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

/** The 64×64 sRGB sample of a photo's centre square, and the photo's displayed size. */
async function sample(bytes: Buffer, opts?: DecodeOptions): Promise<{ rgb: Buffer; width: number; height: number }> {
  const square = openSquareJpeg(bytes, opts);
  const opened = square ? undefined : await openPhoto(bytes, opts);
  const width = square?.side ?? opened?.info.width ?? 0;
  const height = square?.side ?? opened?.info.height ?? 0;
  try {
    const base = opened ? opened.pipeline().flatten({ background: '#ffffff' }).extract(centreSquare(width, height)) : square?.pipeline();
    if (!base) throw new Error('internal: no pipeline');
    const rgb = await base
      .resize(PHASH_SAMPLE_SIDE, PHASH_SAMPLE_SIDE, { fit: 'fill', kernel: 'mitchell', fastShrinkOnLoad: false })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer();
    return { rgb, width, height };
  } catch (err) {
    throw toDecodeError(err, opened?.info.format ?? 'jpeg', opts?.maxPixels);
  }
}

/** Fingerprints photo bytes. Throws PhotoDecodeError for anything that is not a readable photo. */
export async function fingerprint(bytes: Buffer, opts?: DecodeOptions): Promise<PhotoPrint> {
  const { rgb, width, height } = await sample(bytes, opts);
  if (rgb.length !== PHASH_SAMPLE_SIDE * PHASH_SAMPLE_SIDE * 3) {
    throw new Error(`internal: expected a ${PHASH_SAMPLE_SIDE}² sRGB thumbnail, got ${rgb.length} bytes`);
  }
  const { grey, grid } = splitThumbnail(rgb, PHASH_SAMPLE_SIDE);
  return { sha256: sha256Hex(bytes), phash: phashFromGrey(grey), colour: encodeGrid(grid), width, height };
}

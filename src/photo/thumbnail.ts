/**
 * A small picture for the HTML report: a 64×64 crop (sharp's attention strategy keeps the face) as WebP at quality
 * 45, about 0.7 KB, returned as a data: URI. Same guards as decoding (pixel limit, strict on broken files).
 */
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS } from './decode.js';

export const THUMB_SIDE = 64;
export const THUMB_QUALITY = 45;

/** The thumbnail as a data: URI, or undefined when the bytes are not a readable image. */
export async function thumbnailUri(bytes: Buffer): Promise<string | undefined> {
  try {
    const out = await sharp(bytes, { limitInputPixels: DEFAULT_MAX_PIXELS, failOn: 'error' })
      .rotate()
      .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'cover', position: 'attention' })
      .webp({ quality: THUMB_QUALITY, effort: 6 })
      .toBuffer();
    return `data:image/webp;base64,${out.toString('base64')}`;
  } catch {
    return undefined;
  }
}

/**
 * What the cloud does to an uploaded photo: decode, honour EXIF orientation, flatten transparency, downscale
 * to fit 648×648 (aspect kept), re-encode as baseline JPEG without metadata. Plus resizing to the HD sizes.
 */
import sharp from 'sharp';
import { InvalidImageError } from './errors.js';

export const MAX_EDGE = 648;
export const JPEG_QUALITY = 87;
/** The HD sizes Exchange Online serves (profilePhoto docs). */
export const HD_SIZES = [48, 64, 96, 120, 240, 360, 432, 504, 648] as const;

export interface StoredImage {
  jpeg: Buffer;
  width: number;
  height: number;
}

/** Re-encode an upload like the cloud does. The result never equals the input bytes. */
export async function cloudReencode(input: Buffer): Promise<StoredImage> {
  try {
    const encode = (quality: number) =>
      sharp(input, { failOn: 'error' })
        .rotate()
        .resize({ width: MAX_EDGE, height: MAX_EDGE, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false })
        .toBuffer({ resolveWithObject: true });
    let out = await encode(JPEG_QUALITY);
    if (out.data.equals(input)) out = await encode(JPEG_QUALITY - 1);
    return { jpeg: out.data, width: out.info.width, height: out.info.height };
  } catch (err) {
    throw new InvalidImageError('The photo could not be decoded as an image.', { cause: err });
  }
}

/**
 * Photos given in the state file: kept byte for byte when they already look like a cloud photo (JPEG,
 * at most 648 px), otherwise re-encoded. Keeps 10,000-user tenants quick to load.
 */
export async function importStatePhoto(input: Buffer): Promise<StoredImage> {
  const meta = await sharp(input)
    .metadata()
    .catch((err: unknown) => {
      throw new InvalidImageError('The photo could not be decoded as an image.', { cause: err });
    });
  const w = meta.width;
  const h = meta.height;
  if (meta.format === 'jpeg' && w <= MAX_EDGE && h <= MAX_EDGE && (meta.orientation ?? 1) === 1) {
    return { jpeg: input, width: w, height: h };
  }
  return cloudReencode(input);
}

/** A square size×size JPEG of a stored photo (centre crop when it is not square), as Exchange serves HD sizes. */
export async function resizeTo(stored: StoredImage, size: number): Promise<StoredImage> {
  if (stored.width === size && stored.height === size) return stored;
  const out = await sharp(stored.jpeg)
    .resize({ width: size, height: size, fit: 'cover', position: 'centre' })
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: out.data, width: out.info.width, height: out.info.height };
}

/**
 * HD sizes available for a photo: those not larger than its shorter edge (so a 504×504 upload has all but
 * 648×648, as the docs say); the smallest is always there.
 */
export function availableSizes(width: number, height: number): number[] {
  const edge = Math.min(width, height);
  const sizes = HD_SIZES.filter((s) => s <= edge);
  return sizes.length > 0 ? sizes : [HD_SIZES[0]];
}

/** Parse a size id like `48x48` / `48X48`; null unless it is one of the HD sizes. */
export function parseSizeId(id: string): number | null {
  const m = /^(\d+)x(\d+)$/i.exec(id);
  if (!m || m[1] !== m[2]) return null;
  const n = Number(m[1]);
  return (HD_SIZES as readonly number[]).includes(n) ? n : null;
}

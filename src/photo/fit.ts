/**
 * Fitting a photo into a byte budget, for Active Directory's `thumbnailPhoto` (rangeUpper 102,400 bytes in the AD
 * schema; Samba enforces it too): EXIF auto-orient, alpha flattened on white, a square around the subject, then the
 * largest side and the best JPEG quality that fit the budget, baseline JPEG without metadata.
 *
 * The square: sharp's `attention` strategy (libvips' smartcrop: the region with the most luminance frequency,
 * saturation and skin tone), which keeps a portrait's face in the square where a centre crop of a 3:4 head-and-
 * shoulders photo cuts through the forehead or centres on the chest. A square source is kept whole.
 *
 * The search (docs/ad-import.md has the measured results): at the largest side, quality is searched by bisection; a
 * side is accepted when it reaches at least `QUALITY_FLOOR`; otherwise the side shrinks in proportion to how far the
 * floor-quality encode overshot (JPEG bytes grow about with the pixel count) and the search repeats. At `MIN_SIDE`
 * the quality floor drops to `MIN_QUALITY` before giving up. Deterministic: the same input and options always give
 * the same bytes, so a rerun compares equal.
 */
import sharp, { type Sharp } from 'sharp';
import { PhotoNormaliseError } from './errors.js';
import { openPhoto, toDecodeError, type DecodeOptions } from './decode.js';

/** AD's hard limit on thumbnailPhoto (schema rangeUpper). */
export const AD_THUMBNAIL_MAX_BYTES = 102_400;
/** Largest side written: what Microsoft 365 keeps and what Entra Connect hands on to the cloud photo. */
export const FIT_MAX_SIDE = 648;
/** Smallest side tried before quality is allowed below the floor (Outlook shows 96 px). */
export const MIN_SIDE = 96;
export const QUALITY_FLOOR = 80;
export const MAX_QUALITY = 95;
export const MIN_QUALITY = 40;
const SIDE_STEP = 0.95;

export interface FitOptions extends DecodeOptions {
  /** Byte budget. Default {@link AD_THUMBNAIL_MAX_BYTES}. */
  maxBytes?: number;
  /** Largest side. Default {@link FIT_MAX_SIDE}; never upscaled beyond the source's square. */
  maxSide?: number;
}

export interface FittedPhoto {
  jpeg: Buffer;
  side: number;
  quality: number;
  /** The square taken from the auto-oriented source (width × height), in its pixels. */
  crop: { left: number; top: number; side: number; width: number; height: number };
  /** JPEG encodes the search made. */
  encodes: number;
}

/** The subject square of a photo at (at most) `maxSide`, as raw RGB pixels, plus where it sits in the source. */
interface Square {
  raw: Buffer;
  side: number;
  crop: FittedPhoto['crop'];
}

async function subjectSquare(bytes: Buffer, maxSide: number, opts?: DecodeOptions): Promise<Square> {
  const opened = await openPhoto(bytes, opts);
  const { width, height } = opened.info;
  const short = Math.min(width, height);
  const side = Math.min(short, maxSide);
  try {
    // Crop at full resolution (attention works on what it sees), then scale the square down.
    const { data, info } = await opened
      .pipeline()
      .flatten({ background: '#ffffff' })
      .resize(short, short, { fit: 'cover', position: 'attention' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const left = Math.abs(info.cropOffsetLeft ?? 0);
    const top = Math.abs(info.cropOffsetTop ?? 0);
    const scaled = side === short ? data : await sharp(data, { raw: { width: short, height: short, channels: info.channels } }).resize(side, side, { kernel: 'lanczos3' }).raw().toBuffer();
    return { raw: scaled, side, crop: { left, top, side: short, width, height } };
  } catch (err) {
    throw toDecodeError(err, opened.info.format, opts?.maxPixels);
  }
}

function jpegOf(sq: Square, side: number, quality: number): Promise<Buffer> {
  let p: Sharp = sharp(sq.raw, { raw: { width: sq.side, height: sq.side, channels: 3 } });
  if (side !== sq.side) p = p.resize(side, side, { kernel: 'lanczos3' });
  // Baseline, 4:2:0, mozjpeg's trellis tables: the oldest Outlook clients read it; no metadata is written.
  return p
    .jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: true, trellisQuantisation: true, overshootDeringing: true, quantisationTable: 3, progressive: false })
    .toBuffer();
}

/** Fits photo bytes into the budget. Throws PhotoDecodeError (not a photo) or PhotoNormaliseError (cannot fit). */
export async function fitPhoto(bytes: Buffer, opts: FitOptions = {}): Promise<FittedPhoto> {
  const maxBytes = opts.maxBytes ?? AD_THUMBNAIL_MAX_BYTES;
  const maxSide = opts.maxSide ?? FIT_MAX_SIDE;
  if (!Number.isInteger(maxBytes) || maxBytes < 1024) throw new PhotoNormaliseError('invalid-options', `maxBytes must be an integer of at least 1024, got ${maxBytes}`);
  if (!Number.isInteger(maxSide) || maxSide < 16) throw new PhotoNormaliseError('invalid-options', `maxSide must be an integer of at least 16, got ${maxSide}`);
  const sq = await subjectSquare(bytes, maxSide, opts);
  let encodes = 0;
  const encode = async (side: number, q: number): Promise<Buffer> => {
    encodes += 1;
    return jpegOf(sq, side, q);
  };
  /**
   * At `side`: MAX_QUALITY if it fits; else, if the floor fits, the best quality by bisection (size grows with
   * quality); else the size the floor takes, which tells the next side to try.
   */
  const bestAt = async (side: number, floor: number): Promise<{ jpeg: Buffer; quality: number } | { over: number }> => {
    const top = await encode(side, MAX_QUALITY);
    if (top.length <= maxBytes) return { jpeg: top, quality: MAX_QUALITY };
    let best = { jpeg: await encode(side, floor), quality: floor };
    if (best.jpeg.length > maxBytes) return { over: best.jpeg.length };
    let lo = floor + 1;
    let hi = MAX_QUALITY - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const jpeg = await encode(side, mid);
      if (jpeg.length <= maxBytes) {
        best = { jpeg, quality: mid };
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  };
  let side = sq.side;
  for (;;) {
    const last = side <= MIN_SIDE;
    const hit = await bestAt(side, last ? MIN_QUALITY : QUALITY_FLOOR);
    if ('jpeg' in hit) return { jpeg: hit.jpeg, side, quality: hit.quality, crop: sq.crop, encodes };
    if (last) {
      throw new PhotoNormaliseError('too-large', `Cannot fit the photo in ${maxBytes} bytes even at ${side}×${side} px and JPEG quality ${MIN_QUALITY}.`);
    }
    // JPEG size grows about with the pixel count: aim just under the budget, but always shrink by SIDE_STEP at least.
    const aimed = Math.floor(side * Math.sqrt(maxBytes / hit.over) * 0.98);
    side = Math.max(MIN_SIDE, Math.min(aimed, Math.floor(side * SIDE_STEP)));
  }
}

/** Largest side of the full-size square ({@link squarePhoto}): more than any photo consumer shows. */
export const SQUARE_MAX_SIDE = 2048;

/**
 * The same subject square as {@link fitPhoto}, at full resolution (up to `maxSide`), JPEG quality 92 without
 * metadata: for `jpegPhoto`, and as the source both AD and the cloud get in the `both` write mode, so the two hold
 * the same picture.
 */
export async function squarePhoto(bytes: Buffer, opts: DecodeOptions & { maxSide?: number } = {}): Promise<FittedPhoto> {
  const sq = await subjectSquare(bytes, opts.maxSide ?? SQUARE_MAX_SIDE, opts);
  return { jpeg: await jpegOf(sq, sq.side, 92), side: sq.side, quality: 92, crop: sq.crop, encodes: 1 };
}

const dataUri = (jpeg: Buffer): string => `data:image/jpeg;base64,${jpeg.toString('base64')}`;

/**
 * Images for the plan's HTML preview, as data: URIs: the source auto-oriented at 200 px wide (the page draws the
 * square on it from `FittedPhoto.crop`) and the fitted result at 128 px.
 */
export async function fitPreview(source: Buffer, fitted: Buffer, opts?: DecodeOptions): Promise<{ source: string; result: string }> {
  const opened = await openPhoto(source, opts);
  const [src, res] = await Promise.all([
    opened.pipeline().flatten({ background: '#ffffff' }).resize(200).jpeg({ quality: 70 }).toBuffer(),
    sharp(fitted).resize(128, 128).jpeg({ quality: 80 }).toBuffer(),
  ]);
  return { source: dataUri(src), result: dataUri(res) };
}

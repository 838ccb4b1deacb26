/**
 * Reading and validating photo bytes. Everything else in src/photo/ opens images through `openPhoto`, so the
 * same guards (format allow-list, pixel limit, strict decoding) apply to fingerprinting and normalising too.
 */
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { PhotoDecodeError } from './errors.js';
import { sniffFormat, type PhotoFormat, PHOTO_FORMATS } from './sniff.js';
import { readJpegFrame } from './jpeg-frame.js';

// libvips keeps recent operations and their results (up to 50 MB) for reuse; the tool never runs the same operation on
// the same input twice, so the cache only holds native memory (docs/decisions.md, "Memory").
sharp.cache(false);

/** Default pixel limit (width × height): far above any real portrait, far below a decompression bomb. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

export interface DecodeOptions {
  /** Refuse images whose declared width × height exceeds this. Default {@link DEFAULT_MAX_PIXELS}. */
  maxPixels?: number;
}

export interface PhotoInfo {
  format: PhotoFormat;
  /** Width as displayed, i.e. after the EXIF orientation is applied. */
  width: number;
  /** Height as displayed, i.e. after the EXIF orientation is applied. */
  height: number;
  /** EXIF orientation tag (1–8) when present. */
  orientation?: number;
  hasAlpha: boolean;
  /** Size of the input in bytes. */
  bytes: number;
}

/** A validated photo: what it is, and a factory for fresh sharp pipelines over it with the safe options set. */
export interface OpenedPhoto {
  info: PhotoInfo;
  /**
   * A new pipeline, auto-oriented by EXIF, with the pixel limit and strict decoding, working in sRGB: input with an
   * ICC profile (Display P3, Adobe RGB, CMYK) is converted through it, 16-bit input too (sharp skips the profile of
   * 16-bit input unless the pipeline's colourspace is set).
   */
  pipeline(): Sharp;
}

/**
 * What the start of non-image data looks like, without quoting it: the bytes may be anything a share or a directory
 * attribute held (a .env file, a key), and this text ends up in reasons, state, audit and output.
 */
function describeStart(bytes: Buffer): string {
  const head = bytes.subarray(0, 512);
  const printable = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc2);
  if (printable) return `it looks like text (${bytes.length} bytes; contents not shown)`;
  if (head.every((b) => b === 0)) return 'it starts with zero bytes';
  return `it has no known image signature (${bytes.length} bytes)`;
}

function resolveMaxPixels(opts?: DecodeOptions): number {
  const max = opts?.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!Number.isInteger(max) || max <= 0) throw new RangeError(`maxPixels must be a positive integer, got ${max}`);
  return max;
}

function tooManyPixels(width: number, height: number, max: number, cause?: unknown): PhotoDecodeError {
  const mp = (n: number): string => `${(n / 1e6).toFixed(n < 1e6 ? 2 : 0)} megapixels`;
  return new PhotoDecodeError(
    'too-many-pixels',
    `The image declares ${width}×${height} pixels (${mp(width * height)}), over the limit of ${mp(max)}; ` +
      'refusing to decode it (possible decompression bomb).',
    { cause },
  );
}

/** sharp/libvips messages repeat lines and prefixes; keep one readable line. */
function cleanSharpMessage(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.replace(/^Input buffer has corrupt header:\s*/, '').replace(/^Vips\w+:\s*/, '').trim())
    // libvips says "Unknown error" when another thread took its error buffer first: no information, drop it.
    .filter((l) => l.length > 0 && !/^unknown error\.?$/i.test(l));
  return [...new Set(lines)].join('; ');
}

/** Maps an error thrown by sharp while reading `format` bytes to a {@link PhotoDecodeError}. */
export function toDecodeError(err: unknown, format: string, maxPixels = DEFAULT_MAX_PIXELS): PhotoDecodeError {
  if (err instanceof PhotoDecodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(message)) {
    return new PhotoDecodeError(
      'too-many-pixels',
      `The ${format.toUpperCase()} image is larger than the limit of ${maxPixels} pixels (possible decompression bomb).`,
      { cause: err },
    );
  }
  if (/unsupported image format/i.test(message)) {
    return new PhotoDecodeError('not-an-image', 'The data is not an image sharp can read.', { cause: err });
  }
  const detail = cleanSharpMessage(message);
  return new PhotoDecodeError(
    'corrupt',
    `The ${format.toUpperCase()} image is corrupt or truncated${detail ? `: ${detail}` : ''}.`,
    { cause: err },
  );
}

function sharpOptions(maxPixels: number): SharpOptions {
  // failOn 'error' aborts on truncation and decoder errors, tolerating mere warnings common in real-world JPEGs.
  return { autoOrient: true, limitInputPixels: maxPixels, failOn: 'error', pages: 1 };
}

/**
 * Checks format and declared size from the headers and returns a pipeline factory. Does not decode pixels, so a
 * truncated body is only noticed when a pipeline runs (use {@link inspectPhoto} for a full check).
 */
export async function openPhoto(bytes: Buffer, opts?: DecodeOptions): Promise<OpenedPhoto> {
  const maxPixels = resolveMaxPixels(opts);
  if (bytes.length === 0) throw new PhotoDecodeError('empty', 'The photo is empty (0 bytes).');
  const sniffed = sniffFormat(bytes);
  if (sniffed.kind === 'unknown') {
    throw new PhotoDecodeError('not-an-image', `The data is not an image: ${describeStart(bytes)}.`);
  }
  if (sniffed.kind === 'unsupported') {
    throw new PhotoDecodeError(
      'unsupported-format',
      `${sniffed.format.toUpperCase()} images are not supported; supported formats are ${PHOTO_FORMATS.join(', ')}.`,
    );
  }
  const format = sniffed.format;
  let meta: Metadata;
  try {
    // Headers only (no pixels are decoded), so read them unlimited and report the declared size ourselves.
    meta = await sharp(bytes, { ...sharpOptions(maxPixels), limitInputPixels: false }).metadata();
  } catch (err) {
    throw toDecodeError(err, format, maxPixels);
  }
  const rawHeight = meta.pageHeight ?? meta.height;
  if (!meta.width || !rawHeight) {
    throw new PhotoDecodeError('corrupt', `The ${format.toUpperCase()} image declares no dimensions.`);
  }
  if (meta.width * rawHeight > maxPixels) throw tooManyPixels(meta.width, rawHeight, maxPixels);
  const swapped = meta.orientation !== undefined && meta.orientation >= 5 && meta.orientation <= 8;
  const info: PhotoInfo = {
    format,
    width: swapped ? rawHeight : meta.width,
    height: swapped ? meta.width : rawHeight,
    hasAlpha: meta.hasAlpha,
    bytes: bytes.length,
  };
  if (meta.orientation !== undefined) info.orientation = meta.orientation;
  return { info, pipeline: () => sharp(bytes, sharpOptions(maxPixels)).pipelineColourspace('srgb') };
}

/**
 * A square 8-bit sRGB or greyscale JPEG (every cloud copy, our uploads, most AD thumbnails), opened from its frame
 * header alone: its side, and a pipeline with sharp's default colour management (an embedded profile is still
 * applied). With a pipeline colourspace or a crop before a resize sharp never shrinks a JPEG on load; such a JPEG
 * needs neither (it is its own centre square, with no CMYK or 16-bit samples to convert), so a resize can decode it
 * at 1/2, 1/4 or 1/8 in the DCT domain. Same guards as {@link openPhoto} (format by magic bytes, the pixel limit on
 * the declared size before any pixel is decoded, strict decoding). Undefined for anything else: use openPhoto.
 */
export function openSquareJpeg(bytes: Buffer, opts?: DecodeOptions): { side: number; pipeline(): Sharp } | undefined {
  const maxPixels = resolveMaxPixels(opts);
  const f = readJpegFrame(bytes);
  if (!f || f.width !== f.height || f.width === 0 || f.precision !== 8 || (f.components !== 1 && f.components !== 3)) return undefined;
  if (f.width * f.height > maxPixels) return undefined; // openPhoto refuses it, saying why
  return { side: f.width, pipeline: () => sharp(bytes, sharpOptions(maxPixels)) };
}

/**
 * Validates `bytes` as a photo (format, pixel limit, a full decode to catch truncated or corrupt data) and
 * describes it. Throws {@link PhotoDecodeError}.
 */
export async function inspectPhoto(bytes: Buffer, opts?: DecodeOptions): Promise<PhotoInfo> {
  const opened = await openPhoto(bytes, opts);
  try {
    // A small output still makes the decoder read the whole stream (JPEG shrink-on-load scales in the DCT domain).
    await opened.pipeline().resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw toDecodeError(err, opened.info.format, resolveMaxPixels(opts));
  }
  return opened.info;
}

/** Graph serves a 1×1 image as "no photo"; treat any image of at most one pixel that way. */
export function isPlaceholder(info: Pick<PhotoInfo, 'width' | 'height'>): boolean {
  return info.width <= 1 && info.height <= 1;
}

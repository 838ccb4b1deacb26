/**
 * Turns any supported photo into what hybrid-photo-sync uploads: EXIF auto-oriented, alpha flattened on white,
 * the centre square, at most 648 px a side (never upscaled), sRGB, baseline JPEG, no metadata, under a byte cap.
 * A photo that already is all that (most AD thumbnails) keeps its pixels: only its metadata is cut (jpeg-clean.ts).
 */
import type { Sharp } from 'sharp';
import { PhotoNormaliseError } from './errors.js';
import { inspectPhoto, openPhoto, toDecodeError, type DecodeOptions } from './decode.js';
import { cleanSquareJpeg } from './jpeg-clean.js';
import { centreSquare } from './geometry.js';
import { assertUsable, MIN_PHOTO_SIDE } from './usable.js';

/** Largest side Microsoft 365 keeps (it serves 48…648 px squares). */
export const DEFAULT_MAX_SIDE = 648;
/** Graph's limit for a profile photo upload is 4 MB. */
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_QUALITY = 90;
/** The normaliser steps quality down by QUALITY_STEP until the JPEG fits, but never below this. */
export const MIN_QUALITY = 30;
export const QUALITY_STEP = 10;

export interface NormaliseOptions extends DecodeOptions {
  maxSide?: number;
  maxBytes?: number;
  /** Starting JPEG quality (1–100). */
  quality?: number;
  /**
   * The caller has decoded these exact bytes strictly already (their fingerprint): a photo that needs no re-encoding
   * is then passed on without decoding it again. Without it such a photo is still passed on, after a decode check.
   */
  verified?: boolean;
  /** Keep an already clean JPEG's data (default true); false re-encodes every photo, as earlier versions did. */
  keepCleanJpeg?: boolean;
}

export interface NormalisedPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
  /**
   * The JPEG quality actually used (lower than asked when stepping down was needed to fit maxBytes); absent when the
   * photo's own JPEG data was kept (no re-encoding).
   */
  quality?: number;
}

function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PhotoNormaliseError('invalid-options', `${name} must be an integer in ${min}…${max}, got ${value}`);
  }
}

/** Qualities to try, highest first: the asked one, then down in QUALITY_STEP steps to MIN_QUALITY. Pure. */
export function qualityLadder(start: number): number[] {
  const ladder = [start];
  for (let q = Math.floor((start - 1) / QUALITY_STEP) * QUALITY_STEP; q >= MIN_QUALITY; q -= QUALITY_STEP) {
    ladder.push(q);
  }
  return ladder;
}

function encode(pipeline: Sharp, quality: number): Promise<Buffer> {
  // mozjpeg's tuning, but baseline (not progressive) for the oldest Outlook/Exchange consumers.
  return pipeline
    .jpeg({
      quality,
      chromaSubsampling: '4:2:0',
      optimiseCoding: true,
      trellisQuantisation: true,
      overshootDeringing: true,
      quantisationTable: 3,
      progressive: false,
    })
    .toBuffer();
}

/** Normalises photo bytes for upload. Throws PhotoDecodeError (bad input) or PhotoNormaliseError (cannot fit). */
export async function normaliseForUpload(bytes: Buffer, opts?: NormaliseOptions): Promise<NormalisedPhoto> {
  const maxSide = opts?.maxSide ?? DEFAULT_MAX_SIDE;
  const maxBytes = opts?.maxBytes ?? DEFAULT_MAX_BYTES;
  const startQuality = opts?.quality ?? DEFAULT_QUALITY;
  checkInt('maxSide', maxSide, 1);
  checkInt('maxBytes', maxBytes, 1);
  checkInt('quality', startQuality, MIN_QUALITY, 100);

  const clean = opts?.keepCleanJpeg === false ? undefined : cleanSquareJpeg(bytes, { minSide: MIN_PHOTO_SIDE, maxSide, maxBytes });
  if (clean) {
    if (!opts?.verified) await inspectPhoto(bytes, opts);
    return { jpeg: clean.jpeg, width: clean.side, height: clean.side };
  }
  const opened = await openPhoto(bytes, opts);
  assertUsable(opened.info);
  const square = centreSquare(opened.info.width, opened.info.height);
  const side = Math.min(square.width, maxSide);
  const shaped = (): Sharp =>
    opened
      .pipeline()
      .flatten({ background: '#ffffff' })
      .extract(square)
      .resize(side, side, { fit: 'fill', kernel: 'lanczos3' })
      .toColourspace('srgb');

  let smallest = Number.POSITIVE_INFINITY;
  for (const quality of qualityLadder(startQuality)) {
    let jpeg: Buffer;
    try {
      jpeg = await encode(shaped(), quality);
    } catch (err) {
      throw toDecodeError(err, opened.info.format, opts?.maxPixels);
    }
    if (jpeg.length <= maxBytes) return { jpeg, width: side, height: side, quality };
    smallest = Math.min(smallest, jpeg.length);
  }
  throw new PhotoNormaliseError(
    'too-large',
    `Cannot fit the photo in ${maxBytes} bytes: even at JPEG quality ${MIN_QUALITY} it takes ${smallest} bytes ` +
      `(${side}×${side} px). Lower maxSide or raise maxBytes.`,
  );
}

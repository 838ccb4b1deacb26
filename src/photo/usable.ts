/**
 * What counts as a usable photo: one rule, used where a source photo is read (its fingerprint) and where a photo is
 * prepared for upload (normalisation), so a picture the tool would refuse to push is reported as an error up front.
 *
 * The minimum: the shorter side, as displayed, must be at least {@link MIN_PHOTO_SIDE} pixels. The upload is the
 * centre square of the photo, so the shorter side is the upload's side. Microsoft 365's smallest served size is
 * 48×48: anything smaller is upscaled by every client. And below it are the images that cannot work at all: a
 * 1×1 upload is what Graph serves as "no photo", so it would be pushed again on every run; a 1×1000 or 1000×1
 * strip normalises to a 1-pixel square.
 */
import { PhotoDecodeError } from './errors.js';

/** Shortest side, in pixels as displayed, of a photo hybrid-photo-sync uses. */
export const MIN_PHOTO_SIDE = 48;

/** Why a photo of this size is not usable, or undefined when it is. Pure. */
export function unusableReason(size: { width: number; height: number }): string | undefined {
  const side = Math.min(size.width, size.height);
  if (side >= MIN_PHOTO_SIDE) return undefined;
  return (
    `The photo is ${size.width}×${size.height} px; a usable photo is at least ${MIN_PHOTO_SIDE} px on its shorter side ` +
    '(Microsoft 365 shows photos from 48×48 up; a smaller one would be upscaled, and a 1-pixel one reads as "no photo").'
  );
}

/** Throws PhotoDecodeError 'too-small' when the photo is not usable. */
export function assertUsable(size: { width: number; height: number }): void {
  const why = unusableReason(size);
  if (why !== undefined) throw new PhotoDecodeError('too-small', why);
}

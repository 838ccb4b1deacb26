/**
 * Deciding whether two photos are the same picture. Distance is the fraction of differing bits between two
 * perceptual hashes (Hamming distance ÷ hash length in bits), from 0 (identical) to 1.
 */
import type { PhotoPrint, PrintComparison as Verdict } from '../model.js';
import { PhotoPrintError } from './errors.js';
import { fingerprint } from './fingerprint.js';
import type { DecodeOptions } from './decode.js';

/**
 * Two photos whose distance is at or below this are the same picture. Measured on real photographs (see
 * docs/photo-comparison.md): copies re-encoded, resized, re-oriented or normalised stay ≤ SAME_MAX; different
 * photos stay ≥ DIFFERENT_MIN. The threshold sits between, nearer the "same" side.
 */
export const PHOTO_DISTANCE_THRESHOLD = 0.2;

/** The model's comparison (same, distance: the fraction of differing bits, 0 when the sha256 values match) and the threshold used. */
export interface PrintComparison extends Verdict {
  threshold: number;
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let v = i; v; v >>= 1) n += v & 1;
  return n;
});

/** Normalised Hamming distance of two equal-length hex hashes. Throws PhotoPrintError otherwise. Pure. */
export function hashDistance(a: string, b: string): number {
  if (a.length !== b.length || a.length === 0 || a.length % 2 !== 0) {
    throw new PhotoPrintError(
      `Cannot compare perceptual hashes of different kinds (${a.length * 4} vs ${b.length * 4} bits); ` +
        're-fingerprint the older photo.',
    );
  }
  if (!/^[0-9a-f]+$/i.test(a) || !/^[0-9a-f]+$/i.test(b)) throw new PhotoPrintError('Perceptual hash is not hex.');
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  let bits = 0;
  for (let i = 0; i < x.length; i++) bits += POPCOUNT[(x[i] as number) ^ (y[i] as number)] as number;
  return bits / (x.length * 8);
}

/** Compares two fingerprints. Identical bytes (sha256) are the same photo at distance 0. Pure. */
export function comparePrints(a: PhotoPrint, b: PhotoPrint): PrintComparison {
  if (a.sha256 === b.sha256) return { same: true, distance: 0, threshold: PHOTO_DISTANCE_THRESHOLD };
  const distance = hashDistance(a.phash, b.phash);
  return { same: distance <= PHOTO_DISTANCE_THRESHOLD, distance, threshold: PHOTO_DISTANCE_THRESHOLD };
}

/** Fingerprints both photos and compares them. Throws PhotoDecodeError when either is not a readable photo. */
export async function comparePhotos(a: Buffer, b: Buffer, opts?: DecodeOptions): Promise<PrintComparison> {
  const [pa, pb] = await Promise.all([fingerprint(a, opts), fingerprint(b, opts)]);
  return comparePrints(pa, pb);
}

/**
 * The form a cloud photo's fingerprint takes in the state file (the `cloudPhash` field), and reading back both forms:
 * - before the colour stage: the 64-hex perceptual hash alone ("legacy": compared on structure alone, as then);
 * - now: `v2;<phash>;<width>x<height>;<colour grid>`.
 * A legacy value is replaced the next time the tool downloads that cloud photo anyway (its etag moved, --reload, fix).
 * Pure.
 */
import type { PhotoPrint } from '../model.js';

const V2 = 'v2';

export type StoredPrint = Pick<PhotoPrint, 'phash' | 'width' | 'height' | 'colour'>;

export function encodeStoredPrint(p: StoredPrint): string {
  if (!p.colour) return p.phash;
  return [V2, p.phash, `${p.width}x${p.height}`, p.colour].join(';');
}

/** Reads either form; width and height are 0 when unknown (a legacy value). Undefined for anything else. */
export function decodeStoredPrint(value: string): StoredPrint | undefined {
  if (/^[0-9a-f]+$/i.test(value)) return { phash: value, width: 0, height: 0 };
  const [tag, phash, size, colour] = value.split(';');
  const m = /^(\d+)x(\d+)$/.exec(size ?? '');
  if (tag !== V2 || !phash || !/^[0-9a-f]+$/i.test(phash) || !m || !colour) return undefined;
  return { phash, width: Number(m[1]), height: Number(m[2]), colour };
}

/** True when a stored value predates the colour stage (its photo is re-fingerprinted when next downloaded). */
export function isLegacyStoredPrint(value: string): boolean {
  return decodeStoredPrint(value)?.colour === undefined;
}

/**
 * Deciding whether two photos are the same picture, in two stages: structure (the perceptual hash: another photo,
 * a mirror, a re-crop) and colour (the OKLab grids: a local edit, a new background, a colour grade, greyscale).
 * Each measure has a threshold that depends on the smaller image's side (thresholds.ts); a pair is different when
 * any measure is over its threshold. Pure, apart from `comparePhotos` which fingerprints first.
 */
import type { PhotoPrint, PrintComparison as Verdict } from '../model.js';
import { PhotoPrintError } from './errors.js';
import { fingerprint } from './fingerprint.js';
import type { DecodeOptions } from './decode.js';
import { decodeGrid } from './colour-grid.js';
import { colourDistances, type ColourDistances } from './colour-compare.js';
import { LEGACY_STRUCTURE_THRESHOLD, MEASURES, thresholdsFor, type Measure } from './thresholds.js';

/** The structural threshold of the older, hash-only comparison (and of prints without a colour grid). */
export const PHOTO_DISTANCE_THRESHOLD = LEGACY_STRUCTURE_THRESHOLD;

/** What the comparison found, as plain data (renderers and the HTML report draw `explain.blocks`). */
export interface PrintComparison extends Verdict {
  /** (`distance` is the structural one: the fraction of differing hash bits, 0 for equal sha256.) Its threshold. */
  threshold: number;
  /** Side (px) of the smaller image's centre square: the thresholds are chosen for it. */
  side: number;
  /** false when one print has no colour grid (stored by an older version): structure alone decided. */
  colourCompared: boolean;
  /** Each measure's value ÷ its threshold; over 1 means different. Empty when the sha256 values match. */
  ratios: Partial<Record<Measure, number>>;
  /** What decided: structure when it is over its threshold, else the measure furthest over (or nearest to) its own; and a sentence for people. */
  decisive: Measure | null;
  why: string;
  explain?: Explanation;
}

export interface Explanation {
  /** Raw values of every measure, and the thresholds of those used at this size. */
  values: Record<Measure, number>;
  thresholds: Partial<Record<Measure, number>>;
  /** 8×8 mean OKLab distances of the picture's blocks (row-major, top-left first); ~0.02 is just visible. */
  blocks: number[];
  /** The worst 2×2-cell window, as fractions of the side. */
  worst: ColourDistances['worst'];
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

const SAY: Record<Measure, string> = {
  structure: 'another picture (or mirrored, or cropped differently)',
  localL: 'part of the picture is lighter or darker',
  localC: 'part of the picture changed colour',
  tone: 'the colours are graded differently',
  chroma: 'the colourfulness changed (greyscale or saturation)',
  detailL: 'part of the picture lost or gained detail (something drawn over it or removed)',
  detailC: 'part of the picture lost or gained colour',
};

/** Side of the centre square of a print; 0 (unknown, e.g. a remembered print) counts as no limit. */
const squareSide = (p: PhotoPrint): number => (p.width > 0 && p.height > 0 ? Math.min(p.width, p.height) : Number.POSITIVE_INFINITY);

export interface CompareOptions {
  /** Overrides the structural threshold at every size (the `compare.threshold` setting). */
  structureThreshold?: number;
}

/** Compares two fingerprints. Identical bytes (sha256) are the same photo at distance 0. Pure. */
export function comparePrints(a: PhotoPrint, b: PhotoPrint, opts: CompareOptions = {}): PrintComparison {
  const sideRaw = Math.min(squareSide(a), squareSide(b));
  const side = Number.isFinite(sideRaw) ? sideRaw : 648;
  const ga = a.colour ? decodeGrid(a.colour) : undefined;
  const gb = b.colour ? decodeGrid(b.colour) : undefined;
  const colourCompared = ga !== undefined && gb !== undefined;
  const limits = thresholdsFor(side);
  if (!colourCompared) limits.structure = LEGACY_STRUCTURE_THRESHOLD;
  if (opts.structureThreshold !== undefined) limits.structure = opts.structureThreshold;
  const base = { threshold: limits.structure, side, colourCompared };
  if (a.sha256 === b.sha256) return { ...base, same: true, distance: 0, ratios: {}, decisive: null, why: 'identical bytes' };

  const distance = hashDistance(a.phash, b.phash);
  const values = { structure: distance, localL: 0, localC: 0, tone: 0, chroma: 0, detailL: 0, detailC: 0 } as Record<Measure, number>;
  let explain: Explanation | undefined;
  if (ga && gb) {
    const c = colourDistances(ga, gb);
    Object.assign(values, { localL: c.localL, localC: c.localC, tone: c.tone, chroma: c.chroma, detailL: c.detailL, detailC: c.detailC });
    const used = Object.fromEntries(Object.entries(limits).filter(([, t]) => Number.isFinite(t)));
    explain = { values, thresholds: used, blocks: c.blocks.map((v) => Math.round(v * 1000) / 1000), worst: c.worst };
  }
  const ratios: Partial<Record<Measure, number>> = {};
  for (const m of MEASURES) if ((colourCompared || m === 'structure') && Number.isFinite(limits[m])) ratios[m] = values[m] / limits[m];
  // Another picture is said as such (its colours differ too, but that is not the news); otherwise the measure
  // furthest over, or nearest to, its threshold.
  let decisive: Measure = 'structure';
  if ((ratios.structure as number) <= 1) {
    for (const m of MEASURES) if ((ratios[m] ?? 0) > (ratios[decisive] as number)) decisive = m;
  }
  const same = (ratios[decisive] as number) <= 1;
  const why = same ? 'same picture' : SAY[decisive];
  return { ...base, same, distance, ratios, decisive, why, ...(explain ? { explain, blocks: explain.blocks } : {}) };
}

/** Fingerprints both photos and compares them. Throws PhotoDecodeError when either is not a readable photo. */
export async function comparePhotos(a: Buffer, b: Buffer, opts?: DecodeOptions & CompareOptions): Promise<PrintComparison> {
  const [pa, pb] = await Promise.all([fingerprint(a, opts), fingerprint(b, opts)]);
  return comparePrints(pa, pb, opts);
}

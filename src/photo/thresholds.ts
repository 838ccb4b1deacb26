/**
 * How far two copies of the same picture can drift apart, by measure, as a function of the smaller image's side:
 * a 48 px copy has lost detail and carries 8×8 JPEG blocks a sixth of its side wide, so it is allowed more. Each value
 * is the worst "same" case of the labelled corpus in that size class × 1.3, never below a floor, never rising with
 * the side: the output of mocks/fixtures/photos/corpus/fit-thresholds.ts with MARGIN=1.3 (see
 * docs/photo-comparison.md; `npm run photo:accuracy` prints the resulting table). Pure data.
 */

/** The measures the comparator decides on (see compare.ts and colour-compare.ts). */
export const MEASURES = ['structure', 'localL', 'localC', 'tone', 'chroma', 'detailL', 'detailC'] as const;
export type Measure = (typeof MEASURES)[number];

/** Smaller-side classes: a side up to and including the key uses that row. */
export const SIDE_CLASSES = [48, 64, 96, 120, 240, 648] as const;

export const THRESHOLDS: Readonly<Record<Measure, readonly number[]>> = {
  structure: [0.249, 0.15, 0.15, 0.15, 0.15, 0.15],
  localL: [0.197, 0.08, 0.08, 0.046, 0.046, 0.045],
  localC: [0.078, 0.037, 0.03, 0.03, 0.03, 0.03],
  tone: [0.026, 0.018, 0.015, 0.015, 0.015, 0.015],
  chroma: [0.084, 0.08, 0.08, 0.08, 0.08, 0.08],
  detailL: [Infinity, Infinity, 0.1, 0.1, 0.1, 0.1],
  detailC: [Infinity, Infinity, Infinity, Infinity, 0.23, 0.23],
};

/**
 * The smallest side class a measure is used from: a 3×3-cell window of the detail measures must span about one and a
 * half JPEG blocks or it measures the encoder's blocks, not the picture (luma blocks are 8 px: from 64 px; chroma
 * blocks at 4:2:0 are 16 px: from 128 px). Below, the measure's threshold is Infinity and it does not decide.
 */
export const USED_FROM: Partial<Record<Measure, (typeof SIDE_CLASSES)[number]>> = { detailL: 96, detailC: 240 };

/** Prints stored before the colour grid existed compare on structure alone, with the old single threshold. */
export const LEGACY_STRUCTURE_THRESHOLD = 0.2;

/** The row of thresholds for a comparison whose smaller image has `side` pixels (its centre square's side); Infinity: not used at that size. */
export function thresholdsFor(side: number): Record<Measure, number> {
  let row = SIDE_CLASSES.findIndex((k) => side <= k);
  if (row < 0) row = SIDE_CLASSES.length - 1;
  const out = {} as Record<Measure, number>;
  for (const m of MEASURES) out[m] = THRESHOLDS[m][row] as number;
  return out;
}

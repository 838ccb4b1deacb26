/**
 * The colour stage of the comparator: two OKLab grids of the same centre square, compared cell by cell. Pure.
 *
 * - `localL`, `localC`: the worst window of 2×2 cells (1/64 of the picture, sliding by one cell) by mean lightness
 *   and mean colour (a, b) distance, so a badge or sunglasses covering a few percent of the picture is not
 *   averaged away by the rest.
 * - `tone`: the largest mean signed OKLab shift over the dark, middle and bright thirds of the cells: a colour grade
 *   moves every cell of a third the same way, while re-encoding noise cancels out.
 * - `chroma`: the relative change of the mean chroma (colourfulness): greyscale conversion, desaturation.
 * - `detailL`, `detailC`: the worst 3×3-cell window's loss of local pattern, relative to its own contrast
 *   (local-detail.ts): a shape drawn over texture, colour removed from part of a nearly grey picture.
 */
import { COLOUR_GRID, type ColourGrid } from './colour-grid.js';
import { detailDistances, type DetailDistances } from './local-detail.js';

/** Side of the explanation grid: blocks of 2×2 cells. */
export const BLOCK_GRID = COLOUR_GRID / 2;
const N = COLOUR_GRID;

export interface ColourDistances extends DetailDistances {
  localL: number;
  localC: number;
  tone: number;
  chroma: number;
  /** Where the worst window (by OKLab distance) is: its top-left corner as fractions of the side (0…1). */
  worst: { x: number; y: number; size: number };
  /** BLOCK_GRID×BLOCK_GRID mean OKLab distances of non-overlapping 2×2-cell blocks, row-major. */
  blocks: number[];
}

function check(a: ColourGrid, b: ColourGrid): void {
  if (a.length !== b.length || a.length !== N * N * 3) throw new RangeError('colour grids of different sizes');
}

const sum4 = (d: Float64Array, x: number, y: number): number =>
  (d[y * N + x] as number) + (d[y * N + x + 1] as number) + (d[(y + 1) * N + x] as number) + (d[(y + 1) * N + x + 1] as number);

/** Length of a 2- or 3-vector (Math.hypot is several times slower and the grids hold no overflowing values). */
const len = (x: number, y: number, z = 0): number => Math.sqrt(x * x + y * y + z * z);

/** Mean signed shift (L, a, b) of each lightness third of `a`'s cells; the largest, as an OKLab length. */
function toneShift(a: ColourGrid, b: ColourGrid): number {
  const cells = N * N;
  const order = cellsByLightness(a);
  let worst = 0;
  for (let t = 0; t < 3; t++) {
    const from = Math.round((t * cells) / 3);
    const to = Math.round(((t + 1) * cells) / 3);
    let sl = 0;
    let sa = 0;
    let sb = 0;
    for (let k = from; k < to; k++) {
      const c = (order[k] as number) * 3;
      sl += (b[c] as number) - (a[c] as number);
      sa += (b[c + 1] as number) - (a[c + 1] as number);
      sb += (b[c + 2] as number) - (a[c + 2] as number);
    }
    const n = to - from;
    worst = Math.max(worst, len(sl / n, sa / n, sb / n));
  }
  return worst;
}

/**
 * The grid's cells in order of lightness, ties by cell index (so the thirds do not depend on a sort's stability).
 * A numeric sort of the lightness values (no comparator: several times faster than sorting the indices with one)
 * gives the first rank of each value; cells of equal lightness take the ranks from there in index order.
 */
function cellsByLightness(g: ColourGrid): Uint16Array {
  const cells = N * N;
  const sorted = new Float64Array(cells);
  for (let i = 0; i < cells; i++) sorted[i] = g[i * 3] as number;
  sorted.sort();
  const order = new Uint16Array(cells);
  const taken = new Uint16Array(cells);
  for (let i = 0; i < cells; i++) {
    const first = firstAtLeast(sorted, g[i * 3] as number);
    order[first + (taken[first] as number)] = i;
    taken[first] = (taken[first] as number) + 1;
  }
  return order;
}

/** Index of the first element of ascending `sorted` that is ≥ `v` (binary search). */
function firstAtLeast(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function meanChroma(g: ColourGrid): number {
  let c = 0;
  for (let i = 0; i < N * N; i++) c += len(g[i * 3 + 1] as number, g[i * 3 + 2] as number);
  return c / (N * N);
}

/** Chroma below this (mean OKLab a-b length) is a greyscale picture: its colourfulness cannot halve meaningfully. */
const GREY_CHROMA = 0.08;

/** How far apart two colour grids are, by each measure, with the per-block map for explanations. */
export function colourDistances(a: ColourGrid, b: ColourGrid): ColourDistances {
  check(a, b);
  const [dL, dC, dE] = [new Float64Array(N * N), new Float64Array(N * N), new Float64Array(N * N)];
  for (let i = 0; i < N * N; i++) {
    const l = (a[i * 3] as number) - (b[i * 3] as number);
    const c = len((a[i * 3 + 1] as number) - (b[i * 3 + 1] as number), (a[i * 3 + 2] as number) - (b[i * 3 + 2] as number));
    dL[i] = Math.abs(l);
    dC[i] = c;
    dE[i] = len(l, c);
  }
  let [localL, localC, worstE] = [0, 0, -1];
  let worst = { x: 0, y: 0, size: 2 / N };
  for (let y = 0; y < N - 1; y++) {
    for (let x = 0; x < N - 1; x++) {
      localL = Math.max(localL, sum4(dL, x, y) / 4);
      localC = Math.max(localC, sum4(dC, x, y) / 4);
      const e = sum4(dE, x, y) / 4;
      if (e > worstE) [worstE, worst] = [e, { x: x / N, y: y / N, size: 2 / N }];
    }
  }
  const blocks: number[] = [];
  for (let y = 0; y < BLOCK_GRID; y++) for (let x = 0; x < BLOCK_GRID; x++) blocks.push(sum4(dE, x * 2, y * 2) / 4);
  const [ca, cb] = [meanChroma(a), meanChroma(b)];
  const chroma = Math.abs(ca - cb) / Math.max(ca, cb, GREY_CHROMA);
  return { localL, localC, tone: toneShift(a, b), chroma, ...detailDistances(a, b), worst, blocks };
}

/**
 * The colour stage of the comparator: two OKLab grids of the same centre square, compared cell by cell. Pure.
 *
 * - `local`: the worst window of 2×2 cells (1/64 of the picture, sliding by one cell) by mean OKLab distance, so a
 *   badge or sunglasses covering a few percent of the picture is not averaged away by the rest.
 * - `global`: the mean OKLab distance over all cells, which catches a change of look (grading, greyscale) that
 *   moves every cell a little.
 */
import { COLOUR_GRID, type ColourGrid } from './colour-grid.js';

/** Side of the explanation grid: blocks of 2×2 cells. */
export const BLOCK_GRID = COLOUR_GRID / 2;

export interface ColourDistances {
  /** Mean OKLab distance of the worst 2×2-cell window. */
  local: number;
  /** Mean OKLab distance over the whole grid. */
  global: number;
  /** Where the worst window is: its top-left cell, as fractions of the side (0…1). */
  worst: { x: number; y: number };
  /** BLOCK_GRID×BLOCK_GRID mean OKLab distances of non-overlapping 2×2-cell blocks, row-major. */
  blocks: number[];
}

function cellDistances(a: ColourGrid, b: ColourGrid): Float64Array {
  if (a.length !== b.length || a.length !== COLOUR_GRID * COLOUR_GRID * 3) {
    throw new RangeError('colour grids of different sizes');
  }
  const d = new Float64Array(COLOUR_GRID * COLOUR_GRID);
  for (let i = 0; i < d.length; i++) {
    const dl = (a[i * 3] as number) - (b[i * 3] as number);
    const da = (a[i * 3 + 1] as number) - (b[i * 3 + 1] as number);
    const db = (a[i * 3 + 2] as number) - (b[i * 3 + 2] as number);
    d[i] = Math.sqrt(dl * dl + da * da + db * db);
  }
  return d;
}

const window2 = (d: Float64Array, x: number, y: number): number =>
  ((d[y * COLOUR_GRID + x] as number) +
    (d[y * COLOUR_GRID + x + 1] as number) +
    (d[(y + 1) * COLOUR_GRID + x] as number) +
    (d[(y + 1) * COLOUR_GRID + x + 1] as number)) /
  4;

/** How far apart two colour grids are, locally and overall, with the per-block map for explanations. */
export function colourDistances(a: ColourGrid, b: ColourGrid): ColourDistances {
  const d = cellDistances(a, b);
  let local = -1;
  let worst = { x: 0, y: 0 };
  for (let y = 0; y < COLOUR_GRID - 1; y++) {
    for (let x = 0; x < COLOUR_GRID - 1; x++) {
      const w = window2(d, x, y);
      if (w > local) [local, worst] = [w, { x: x / COLOUR_GRID, y: y / COLOUR_GRID }];
    }
  }
  const blocks: number[] = [];
  for (let y = 0; y < BLOCK_GRID; y++) for (let x = 0; x < BLOCK_GRID; x++) blocks.push(window2(d, x * 2, y * 2));
  const global = d.reduce((s, v) => s + v, 0) / d.length;
  return { local, global, worst, blocks };
}

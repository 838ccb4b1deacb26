/**
 * Local detail: whether a small part of the picture kept its pattern, judged against that part's own contrast. Pure.
 *
 * For every window of 3×3 cells of the two OKLab grids (sliding by one cell), SSIM's contrast-structure term
 * (Wang et al., 2004), 1 − (2·cov(a, b) + C²) ÷ (var(a) + var(b) + C²): 0 when the window's cells vary the same way
 * in both pictures, towards 1 when one picture is flat where the other has a pattern or the patterns disagree. It
 * is relative, so a dark shape drawn over a dark, star-dotted sky counts as much as one drawn over a face, while a
 * busy window's re-encoding noise is small next to its own contrast; the constant C keeps a window that is flat in
 * both pictures (a plain background) at 0 whatever its noise.
 * - `detailL` on lightness: something drawn over or removed (sunglasses, a badge over texture);
 * - `detailC` on colour (a and b together): colour removed or added in a part (greyscale, recolouring).
 * The measure is the worst window's.
 */
import { COLOUR_GRID, type ColourGrid } from './colour-grid.js';

const N = COLOUR_GRID;
/** Side of the window, in cells (3×3 of 16×16: 3.5 % of the picture, the size of a pair of sunglasses). */
export const DETAIL_WINDOW = 3;
/**
 * SSIM's stabilising constant, as an OKLab distance, for colour: about the smallest visible step. For lightness 2.5
 * times that: the cells along a hard edge (a drawn avatar's shape) are partly covered, and a resize moves their
 * share by more than a step; with 0.02, such pictures' 96 px cloud copies counted as changed (docs/photo-comparison.md).
 */
export const DETAIL_C = { lightness: 0.05, colour: 0.02 } as const;
const CELLS = DETAIL_WINDOW * DETAIL_WINDOW;

export interface DetailDistances {
  detailL: number;
  detailC: number;
}

/** 1 − SSIM's contrast-structure term of the window at (x, y) over channels first…last of the grids. */
function windowLoss(a: ColourGrid, b: ColourGrid, x: number, y: number, first: number, last: number, c2: number): number {
  let va = 0;
  let vb = 0;
  let cov = 0;
  for (let ch = first; ch <= last; ch++) {
    let sa = 0;
    let sb = 0;
    let saa = 0;
    let sbb = 0;
    let sab = 0;
    for (let j = 0; j < DETAIL_WINDOW; j++) {
      for (let i = 0; i < DETAIL_WINDOW; i++) {
        const k = ((y + j) * N + x + i) * 3 + ch;
        const p = a[k] as number;
        const q = b[k] as number;
        sa += p;
        sb += q;
        saa += p * p;
        sbb += q * q;
        sab += p * q;
      }
    }
    const ma = sa / CELLS;
    const mb = sb / CELLS;
    va += saa / CELLS - ma * ma;
    vb += sbb / CELLS - mb * mb;
    cov += sab / CELLS - ma * mb;
  }
  return 1 - (2 * cov + c2) / (va + vb + c2);
}

/** The worst window's loss of local detail, on lightness and on colour. Grids must be COLOUR_GRID² cells. */
export function detailDistances(a: ColourGrid, b: ColourGrid): DetailDistances {
  let [detailL, detailC] = [0, 0];
  const [cL, cC] = [DETAIL_C.lightness ** 2, DETAIL_C.colour ** 2];
  for (let y = 0; y + DETAIL_WINDOW <= N; y++) {
    for (let x = 0; x + DETAIL_WINDOW <= N; x++) {
      detailL = Math.max(detailL, windowLoss(a, b, x, y, 0, 0, cL));
      detailC = Math.max(detailC, windowLoss(a, b, x, y, 1, 2, cC));
    }
  }
  return { detailL, detailC };
}

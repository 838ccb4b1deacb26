/**
 * The tone measure of the colour stage (src/photo/colour-compare.ts): the largest mean OKLab shift over the dark,
 * middle and bright thirds of the first grid's cells, thirds taken by lightness with ties by cell index. Checked
 * against a plain reference (indices sorted with a comparator) on grids full of ties, as stored grids are (their
 * lightness is quantised to 1/255), and on a grade that moves only the bright third.
 */
import assert from 'node:assert/strict';
import { colourDistances } from '../../src/photo/colour-compare.js';
import { COLOUR_GRID } from '../../src/photo/colour-grid.js';
import { mulberry32 } from '../../mocks/graph-emulator/faults.js';

const CELLS = COLOUR_GRID * COLOUR_GRID;

function referenceTone(a: Float64Array, b: Float64Array): number {
  const order = Array.from({ length: CELLS }, (_, i) => i).sort((i, j) => (a[i * 3] as number) - (a[j * 3] as number) || i - j);
  let worst = 0;
  for (let t = 0; t < 3; t++) {
    const from = Math.round((t * CELLS) / 3);
    const to = Math.round(((t + 1) * CELLS) / 3);
    const s = [0, 0, 0];
    for (let k = from; k < to; k++) {
      for (let ch = 0; ch < 3; ch++) s[ch] = (s[ch] as number) + ((b[(order[k] as number) * 3 + ch] as number) - (a[(order[k] as number) * 3 + ch] as number));
    }
    const [x, y, z] = s.map((v) => v / (to - from)) as [number, number, number];
    worst = Math.max(worst, Math.sqrt(x * x + y * y + z * z));
  }
  return worst;
}

/** A grid with lightness drawn from `levels` values (so most cells tie) and small random colour. */
function randomGrid(random: () => number, levels: number): Float64Array {
  const g = new Float64Array(CELLS * 3);
  for (let i = 0; i < CELLS; i++) {
    g[i * 3] = Math.floor(random() * levels) / 255;
    g[i * 3 + 1] = (Math.floor(random() * 40) - 20) / 400;
    g[i * 3 + 2] = (Math.floor(random() * 40) - 20) / 400;
  }
  return g;
}

describe('photo colour stage: tone', () => {
  it('equals the reference on grids full of ties, to the last bit', () => {
    const random = mulberry32(11);
    for (const levels of [1, 2, 3, 7, 40, 256]) {
      for (let n = 0; n < 20; n++) {
        const a = randomGrid(random, levels);
        const b = randomGrid(random, levels);
        assert.equal(colourDistances(a, b).tone, referenceTone(a, b), `levels ${levels}, grid pair ${n}`);
      }
    }
  });

  it('sees a grade of the bright third alone', () => {
    const a = new Float64Array(CELLS * 3);
    for (let i = 0; i < CELLS; i++) a[i * 3] = (i % 16) / 20; // stripes of lightness, many ties
    const b = Float64Array.from(a);
    const bright = Array.from({ length: CELLS }, (_, i) => i).sort((i, j) => (a[i * 3] as number) - (a[j * 3] as number) || i - j).slice(Math.round((2 * CELLS) / 3));
    for (const i of bright) b[i * 3 + 1] = 0.05; // warm the highlights
    assert.ok(Math.abs(colourDistances(a, b).tone - 0.05) < 1e-12, `tone ${colourDistances(a, b).tone}`);
    assert.equal(colourDistances(a, a).tone, 0);
  });
});

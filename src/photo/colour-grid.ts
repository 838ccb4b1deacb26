/**
 * The colour half of a fingerprint: a COLOUR_GRID×COLOUR_GRID grid of OKLab cells over the centre square, each the
 * average colour (in linear light) of its part of the picture. Stored in `PhotoPrint.colour` as base64 of one byte
 * per channel, 768 bytes for 16×16. Pure.
 */
import { linearToGrey8, linearToOklab, SRGB_TO_LINEAR } from './oklab.js';

/** Cells per side of the colour grid: one cell is 3 px of Graph's smallest 48 px copy. */
export const COLOUR_GRID = 16;
/** Prefix of the encoded grid: the form of `PhotoPrint.colour` (a different prefix is a different form). */
export const COLOUR_FORM = 'oklab16:';

const L_SCALE = 255;
const AB_SCALE = 400;
const AB_ZERO = 128;

/** OKLab cells, row-major, [L, a, b] per cell. */
export type ColourGrid = Float64Array;

/**
 * From a row-major side×side sRGB thumbnail (3 bytes a pixel): the grey thumbnail the structural hash runs on and
 * the OKLab grid (cells averaged in linear light, so a cell's colour is what the eye sees from a distance).
 */
export function splitThumbnail(rgb: Uint8Array, side: number): { grey: Uint8Array; grid: ColourGrid } {
  if (rgb.length !== side * side * 3) throw new RangeError(`expected ${side * side * 3} bytes, got ${rgb.length}`);
  if (side % COLOUR_GRID !== 0) throw new RangeError(`thumbnail side ${side} is not a multiple of ${COLOUR_GRID}`);
  const grey = new Uint8Array(side * side);
  const sums = new Float64Array(COLOUR_GRID * COLOUR_GRID * 3);
  const cell = side / COLOUR_GRID;
  for (let y = 0; y < side; y++) {
    const row = Math.floor(y / cell) * COLOUR_GRID;
    for (let x = 0; x < side; x++) {
      const p = (y * side + x) * 3;
      const r = SRGB_TO_LINEAR[rgb[p] as number] as number;
      const g = SRGB_TO_LINEAR[rgb[p + 1] as number] as number;
      const b = SRGB_TO_LINEAR[rgb[p + 2] as number] as number;
      grey[y * side + x] = linearToGrey8(r, g, b);
      const c = (row + Math.floor(x / cell)) * 3;
      sums[c] = (sums[c] as number) + r;
      sums[c + 1] = (sums[c + 1] as number) + g;
      sums[c + 2] = (sums[c + 2] as number) + b;
    }
  }
  const n = cell * cell;
  const grid = new Float64Array(sums.length);
  for (let c = 0; c < sums.length; c += 3) {
    const lab = linearToOklab((sums[c] as number) / n, (sums[c + 1] as number) / n, (sums[c + 2] as number) / n);
    grid.set(lab, c);
  }
  return { grey, grid };
}

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** `oklab16:` + base64 of the grid quantised to one byte a channel (L in 1/255, a and b in 1/400 steps). */
export function encodeGrid(grid: ColourGrid): string {
  const bytes = Buffer.alloc(grid.length);
  for (let i = 0; i < grid.length; i += 3) {
    bytes[i] = clampByte((grid[i] as number) * L_SCALE);
    bytes[i + 1] = clampByte((grid[i + 1] as number) * AB_SCALE + AB_ZERO);
    bytes[i + 2] = clampByte((grid[i + 2] as number) * AB_SCALE + AB_ZERO);
  }
  return COLOUR_FORM + bytes.toString('base64');
}

/** The grid of an encoded `PhotoPrint.colour`, or undefined when it is not of the current form. */
export function decodeGrid(encoded: string): ColourGrid | undefined {
  if (!encoded.startsWith(COLOUR_FORM)) return undefined;
  const bytes = Buffer.from(encoded.slice(COLOUR_FORM.length), 'base64');
  if (bytes.length !== COLOUR_GRID * COLOUR_GRID * 3) return undefined;
  const grid = new Float64Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 3) {
    grid[i] = (bytes[i] as number) / L_SCALE;
    grid[i + 1] = ((bytes[i + 1] as number) - AB_ZERO) / AB_SCALE;
    grid[i + 2] = ((bytes[i + 2] as number) - AB_ZERO) / AB_SCALE;
  }
  return grid;
}

/** The discrete cosine transform and median-threshold hashing behind the perceptual hash. Pure. */

const tables = new Map<string, Float64Array>();

/** cos((2x+1)uπ / 2n) for u < k, x < n, scaled orthonormally; built once per (n, k). */
function cosTable(n: number, k: number): Float64Array {
  const key = `${n}:${k}`;
  const known = tables.get(key);
  if (known) return known;
  const table = new Float64Array(k * n);
  for (let u = 0; u < k; u++) {
    const scale = u === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let x = 0; x < n; x++) table[u * n + x] = scale * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
  }
  tables.set(key, table);
  return table;
}

/**
 * One 1-D pass over `lines` lines of n samples: out[i·k + u] = Σx v(i, x)·c[u][x], where v(i, x) = src[i·stride + x·step]. Uses the cosine's
 * symmetry about the middle (c[u][n−1−x] = ±c[u][x]), so each term is summed once for a pair of samples.
 */
function pass(src: Float64Array, lines: number, stride: number, step: number, n: number, k: number, c: Float64Array, out: Float64Array): void {
  const half = n >> 1;
  const even = new Float64Array(half);
  const odd = new Float64Array(half);
  for (let i = 0; i < lines; i++) {
    for (let x = 0; x < half; x++) {
      const p = src[i * stride + x * step] as number;
      const q = src[i * stride + (n - 1 - x) * step] as number;
      even[x] = p + q;
      odd[x] = p - q;
    }
    for (let u = 0; u < k; u++) {
      const folded = u & 1 ? odd : even;
      let s = 0;
      for (let x = 0; x < half; x++) s += (folded[x] as number) * (c[u * n + x] as number);
      out[i * k + u] = s;
    }
  }
}

/**
 * Orthonormal 2-D DCT-II of a row-major n×n image (n even), returning only the k×k lowest-frequency coefficients
 * (row-major, index v*k+u for vertical frequency v and horizontal frequency u).
 */
export function dctLowBlock(pixels: ArrayLike<number>, n: number, k: number): Float64Array {
  if (pixels.length !== n * n) throw new RangeError(`expected ${n * n} pixels, got ${pixels.length}`);
  if (k > n) throw new RangeError(`block ${k} larger than image ${n}`);
  if (n % 2 !== 0) throw new RangeError(`image side ${n} is odd`);
  const c = cosTable(n, k);
  // Rows first: rowT[y*k+u] = Σx p[y][x]·c[u][x]; then columns of rowT: colT[u*k+v] = Σy rowT[y][u]·c[v][y].
  const rowT = new Float64Array(n * k);
  // One element type for both passes keeps `pass` monomorphic (several times faster than over a Uint8Array and a Float64Array).
  pass(Float64Array.from(pixels), n, n, 1, n, k, c, rowT);
  const colT = new Float64Array(k * k);
  pass(rowT, k, 1, k, n, k, c, colT);
  const out = new Float64Array(k * k);
  for (let v = 0; v < k; v++) for (let u = 0; u < k; u++) out[v * k + u] = colT[u * k + v] as number;
  return out;
}

/**
 * Coefficient differences from the median smaller than this are noise (pixel values are 0–255): a flat picture's
 * re-encode moves its AC terms by about a grey level, which must not set bits.
 */
export const FLAT_EPSILON = 2;

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * One bit per coefficient: set when the coefficient is above the median of the block's AC coefficients (the DC
 * term, index 0, is left out of the median and its bit is always 0: it only measures overall brightness).
 * Bits are packed most-significant first and returned as lower-case hex. Differences below {@link FLAT_EPSILON}
 * count as equal, so a flat image hashes to all zeros instead of to floating-point noise.
 */
export function medianBitsHex(coeffs: Float64Array): string {
  if (coeffs.length % 8 !== 0) throw new RangeError('coefficient count must be a multiple of 8');
  const m = median(coeffs.subarray(1));
  const bytes = Buffer.alloc(coeffs.length / 8);
  for (let i = 1; i < coeffs.length; i++) {
    if ((coeffs[i] as number) - m > FLAT_EPSILON) bytes[i >> 3] = (bytes[i >> 3] as number) | (0x80 >> (i & 7));
  }
  return bytes.toString('hex');
}

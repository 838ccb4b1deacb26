/** Pure geometry shared by the normaliser and the fingerprint, so both look at exactly the same pixels. */

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The largest centred square inside a width×height image (odd leftovers go to the right/bottom). */
export function centreSquare(width: number, height: number): Region {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
}

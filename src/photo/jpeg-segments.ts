/**
 * The marker segments of a JPEG (ITU T.81 annex B), walked from the start of the file: SOI, then segments (FF, a
 * marker, a 16-bit length counting itself, the payload), a scan header SOS followed by entropy-coded bytes in which a
 * literal FF is stuffed as FF00 and RST0–7 may appear, then more segments or scans, then EOI. The frame header reader
 * (jpeg-frame.ts) and the lossless upload path (jpeg-clean.ts) both read a file this way. Pure.
 */

export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;

export interface JpegSegment {
  marker: number;
  /** Index of the segment's FF. */
  start: number;
  /**
   * Index just after it: after its payload (which may run past the end of a truncated file: the walk then stops),
   * for SOS after its entropy-coded data, for a marker without a length two bytes on.
   */
  end: number;
}

/** Markers that stand alone, without a length: RST0–7, TEM, SOI. */
const standsAlone = (m: number): boolean => m === SOI || (m >= 0xd0 && m <= 0xd7) || m === 0x01;

/** End of the entropy-coded data starting at `at`: the index of the next marker that is not a stuffed byte or RSTn. */
function endOfScanData(b: Uint8Array, at: number): number {
  for (let i = at; i + 1 < b.length; i++) {
    if (b[i] !== 0xff) continue;
    const next = b[i + 1] as number;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) continue;
    return i;
  }
  return -1;
}

/**
 * The segments after SOI, in order, up to and including EOI; fill bytes (FF before a marker) are skipped. The walk
 * stops early, without reaching EOI, where the bytes are not a JPEG's: no SOI, no marker where one is due, a length
 * under 2 or past the end of the file, scan data without an end.
 */
export function* jpegSegments(bytes: Uint8Array): Generator<JpegSegment> {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) return;
  let at = 2;
  while (at + 2 <= bytes.length) {
    if (bytes[at] !== 0xff) return;
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === EOI || standsAlone(marker)) {
      yield { marker, start: at, end: at + 2 };
      if (marker === EOI) return;
      at += 2;
      continue;
    }
    if (at + 4 > bytes.length) return;
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (length < 2) return;
    const end = at + 2 + length;
    if (marker === SOS) {
      const dataEnd = end > bytes.length ? -1 : endOfScanData(bytes, end);
      if (dataEnd < 0) return; // truncated
      yield { marker, start: at, end: dataEnd };
      at = dataEnd;
      continue;
    }
    yield { marker, start: at, end };
    at = end;
  }
}

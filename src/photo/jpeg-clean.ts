/**
 * The lossless path of the upload normaliser: a photo that already is what the normaliser makes (a square baseline
 * YCbCr JPEG, 8-bit, no colour profile, no EXIF, within the size limits) is uploaded as it is,
 * with its metadata segments (XMP, IPTC, comments, other APPn) cut out and nothing after its end marker. Decoding
 * and re-encoding it would cost milliseconds of CPU for a copy one generation worse, which the cloud then re-encodes
 * once more. Anything else, or anything the segment walk (jpeg-segments.ts) does not recognise, is left to the
 * re-encoding path. Pure.
 */
import { EOI, jpegSegments, SOS } from './jpeg-segments.js';

export interface CleanJpeg {
  jpeg: Buffer;
  side: number;
}

export interface CleanLimits {
  minSide: number;
  maxSide: number;
  maxBytes: number;
}

const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;
/** Segments kept as they are: quantisation and Huffman tables, restart interval. */
const TABLES = new Set([0xdb, 0xc4, 0xdd]);
/** Baseline and extended sequential Huffman frames: what every decoder reads. */
const SEQUENTIAL_FRAMES = new Set([0xc0, 0xc1]);

const startsWith = (b: Uint8Array, at: number, text: string): boolean =>
  [...text].every((c, i) => b[at + i] === c.charCodeAt(0));

/**
 * `bytes` without metadata when they already are an upload the normaliser would make (see the file comment), else
 * undefined. The pixels are not decoded here: the caller has decoded them (the source's fingerprint, strict mode).
 */
export function cleanSquareJpeg(bytes: Uint8Array, limits: CleanLimits): CleanJpeg | undefined {
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let side: number | undefined;
  for (const { marker, start: at, end } of jpegSegments(bytes)) {
    if (marker === EOI) {
      if (side === undefined) return undefined;
      kept.push(bytes.subarray(at, end));
      const jpeg = Buffer.concat(kept);
      return jpeg.length <= limits.maxBytes ? { jpeg, side } : undefined;
    }
    if (marker === APP0 && startsWith(bytes, at + 4, 'JFIF\0')) {
      kept.push(bytes.subarray(at, end));
    } else if (marker === APP1 && startsWith(bytes, at + 4, 'Exif\0')) {
      return undefined; // may turn the picture (orientation): the re-encoding path applies it
    } else if (marker === APP2 || marker === APP14) {
      return undefined; // an ICC profile or Adobe's colour transform: the re-encoding path converts to sRGB
    } else if ((marker >= APP0 && marker <= 0xef) || marker === COM) {
      // metadata (XMP, IPTC, comments, maker data): dropped
    } else if (SEQUENTIAL_FRAMES.has(marker)) {
      if (side !== undefined || end - at !== 19) return undefined; // one frame, three components
      const height = ((bytes[at + 5] as number) << 8) | (bytes[at + 6] as number);
      const width = ((bytes[at + 7] as number) << 8) | (bytes[at + 8] as number);
      if (bytes[at + 4] !== 8 || bytes[at + 9] !== 3 || width !== height) return undefined;
      // Component ids 1, 2, 3: what decoders read as YCbCr with no JFIF or Adobe marker to say (ids R, G, B mean RGB).
      if (bytes[at + 10] !== 1 || bytes[at + 13] !== 2 || bytes[at + 16] !== 3) return undefined;
      if (width < limits.minSide || width > limits.maxSide) return undefined;
      side = width;
      kept.push(bytes.subarray(at, end));
    } else if (TABLES.has(marker) || (marker === SOS && side !== undefined)) {
      kept.push(bytes.subarray(at, end));
    } else {
      return undefined; // a scan before the frame, progressive, arithmetic, hierarchical, or a marker not known here
    }
  }
  return undefined; // no end marker: truncated, or not a JPEG
}

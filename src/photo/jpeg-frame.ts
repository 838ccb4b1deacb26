/**
 * The frame header of a JPEG (its SOF segment: size, sample precision, number of components), read by walking the
 * marker segments from the start of the file (jpeg-segments.ts). The fingerprint uses it to recognise a plain square
 * JPEG without asking sharp for the metadata first (a second parse of the file that cost about as much as the
 * JavaScript half of the fingerprint); everything else about the file is still checked by the decoder. Pure.
 */
import { EOI, jpegSegments, SOS } from './jpeg-segments.js';

export interface JpegFrame {
  width: number;
  height: number;
  /** Bits a sample: 8 for baseline and almost every progressive JPEG. */
  precision: number;
  /** 1 (greyscale), 3 (YCbCr or RGB) or 4 (CMYK/YCCK). */
  components: number;
}

/** Start-of-frame markers: C0–CF except C4 (DHT), C8 (reserved) and CC (DAC). */
const isFrameMarker = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** The first frame header, or undefined when the bytes are not a JPEG whose markers lead to one before the scan data. */
export function readJpegFrame(bytes: Uint8Array): JpegFrame | undefined {
  for (const { marker, start: at, end } of jpegSegments(bytes)) {
    if (marker === SOS || marker === EOI) return undefined; // scan data or end before any frame header
    if (!isFrameMarker(marker)) continue;
    if (at + 10 > bytes.length || end - at - 2 < 8) return undefined;
    const u16 = (i: number): number => ((bytes[at + i] as number) << 8) | (bytes[at + i + 1] as number);
    return { precision: bytes[at + 4] as number, height: u16(5), width: u16(7), components: bytes[at + 9] as number };
  }
  return undefined;
}

/**
 * The frame header of a JPEG (its SOF segment: size, sample precision, number of components), read by walking the
 * marker segments from the start of the file. The fingerprint uses it to recognise a plain square JPEG without asking
 * sharp for the metadata first (a second parse of the file that cost about as much as the JavaScript half of the
 * fingerprint); everything else about the file is still checked by the decoder. Pure.
 */

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
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data or end before any frame header
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (length < 2) return undefined;
    if (isFrameMarker(marker)) {
      if (at + 10 > bytes.length || length < 8) return undefined;
      const u16 = (i: number): number => ((bytes[at + i] as number) << 8) | (bytes[at + i + 1] as number);
      return { precision: bytes[at + 4] as number, height: u16(5), width: u16(7), components: bytes[at + 9] as number };
    }
    at += 2 + length;
  }
  return undefined;
}

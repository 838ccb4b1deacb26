/**
 * Recognises image formats by their magic bytes, before any decoder sees the data. Only formats the tool
 * supports are ever handed to sharp; SVG, PDF, HEIC and friends are named and refused without being parsed.
 */

/** Formats hybrid-photo-sync reads. Everything is normalised to JPEG before upload. */
export const PHOTO_FORMATS = ['jpeg', 'png', 'gif', 'webp', 'tiff'] as const;
export type PhotoFormat = (typeof PHOTO_FORMATS)[number];

export type Sniffed =
  | { kind: 'supported'; format: PhotoFormat }
  | { kind: 'unsupported'; format: string }
  | { kind: 'unknown' };

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  return sig.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.subarray(from, to)).toString('latin1');
}

/** ISO-BMFF brands (bytes 8..12 after `ftyp`) of HEIF-family files. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis']);

/** Names the image format of `bytes` from its leading bytes. Pure. */
export function sniffFormat(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'supported', format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'supported', format: 'png' };
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { kind: 'supported', format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'supported', format: 'webp' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: 'supported', format: 'tiff' };
  }
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return { kind: 'unsupported', format: 'bmp' };
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) && bytes.length >= 22) return { kind: 'unsupported', format: 'ico' };
  if (ascii(bytes, 0, 5) === '%PDF-') return { kind: 'unsupported', format: 'pdf' };
  if (ascii(bytes, 0, 4) === '8BPS') return { kind: 'unsupported', format: 'psd' };
  if (ascii(bytes, 4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(bytes, 8, 12))) {
    return { kind: 'unsupported', format: ascii(bytes, 8, 12).startsWith('avi') ? 'avif' : 'heif' };
  }
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return { kind: 'unsupported', format: 'jp2' };
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return { kind: 'unsupported', format: 'jxl' };
  }
  const text = ascii(bytes, 0, Math.min(bytes.length, 1024)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) {
    return { kind: 'unsupported', format: 'svg' };
  }
  return { kind: 'unknown' };
}

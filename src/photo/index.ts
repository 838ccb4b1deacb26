/** The photo module: everything hybrid-photo-sync does with image bytes (built on sharp). */
export { PhotoDecodeError, PhotoNormaliseError, PhotoPrintError, PHOTO_DECODE_ERROR_CODES } from './errors.js';
export type { PhotoDecodeErrorCode } from './errors.js';
export { PHOTO_FORMATS, sniffFormat } from './sniff.js';
export type { PhotoFormat, Sniffed } from './sniff.js';
export { DEFAULT_MAX_PIXELS, inspectPhoto, isPlaceholder } from './decode.js';
export type { DecodeOptions, PhotoInfo } from './decode.js';
export { fingerprint, PHASH_BITS, sha256Hex } from './fingerprint.js';
export { assertUsable, MIN_PHOTO_SIDE, unusableReason } from './usable.js';
export { comparePhotos, comparePrints, hashDistance, PHOTO_DISTANCE_THRESHOLD } from './compare.js';
export type { CompareOptions, Explanation, PrintComparison } from './compare.js';
export { MEASURES, THRESHOLDS, SIDE_CLASSES, thresholdsFor } from './thresholds.js';
export type { Measure } from './thresholds.js';
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_SIDE,
  DEFAULT_QUALITY,
  MIN_QUALITY,
  normaliseForUpload,
} from './normalise.js';
export type { NormaliseOptions, NormalisedPhoto } from './normalise.js';
export { decodeStoredPrint, encodeStoredPrint, isLegacyStoredPrint } from './stored-print.js';
export type { StoredPrint } from './stored-print.js';

/** Typed errors of the photo module. Each carries a machine-readable `code` and, where there is one, the `cause`. */
import { HpsError } from '../errors.js';

/** Why a byte buffer could not be used as a photo. */
export const PHOTO_DECODE_ERROR_CODES = [
  'empty',
  'not-an-image',
  'unsupported-format',
  'too-many-pixels',
  'corrupt',
  /** Readable, but under the usable minimum (src/photo/usable.ts). */
  'too-small',
] as const;
export type PhotoDecodeErrorCode = (typeof PHOTO_DECODE_ERROR_CODES)[number];

/** The bytes are not a photo this tool can read: empty, not an image, an unsupported format, a bomb, or corrupt. */
export class PhotoDecodeError extends HpsError {
  override readonly name = 'PhotoDecodeError';
  constructor(
    readonly code: PhotoDecodeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options ?? {});
  }
}

/** The photo was readable but could not be made into an upload that meets the limits (e.g. maxBytes). */
export class PhotoNormaliseError extends HpsError {
  override readonly name = 'PhotoNormaliseError';
  constructor(
    readonly code: 'too-large' | 'invalid-options',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options ?? {});
  }
}

/** Two fingerprints cannot be compared: their perceptual hashes are of different kinds (length) or not hex. */
export class PhotoPrintError extends HpsError {
  override readonly name = 'PhotoPrintError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options ?? {});
  }
}

/** The error of the bounded reader (src/files/bounded-read.ts). */
import { HpsError, type ErrorKind } from '../errors.js';

export const BOUNDED_READ_CODES = ['not-found', 'not-a-file', 'too-large', 'outside-folder', 'timeout', 'io'] as const;
export type BoundedReadCode = (typeof BOUNDED_READ_CODES)[number];

/**
 * A file could not be read within the bounds. The message names the path and the bound, never the contents.
 * A configuration error when it stops a run (the admin pointed at it); callers reading per-user files wrap it.
 */
export class BoundedReadError extends HpsError {
  override readonly kind: ErrorKind = 'config';
  constructor(
    readonly code: BoundedReadCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

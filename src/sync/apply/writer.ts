import type { Route } from '../../model.js';

/** One photo to put in place for one user. `key` is the caller's id for the item (objectGUID). */
export interface PhotoSetItem {
  key: string;
  /** How the writer addresses the user: Graph user id or UPN; Exchange identity (UPN, GUID or DN). */
  identity: string;
  /** Normalised JPEG, ready to upload. */
  jpeg: Buffer;
}

export interface PhotoDeleteItem {
  key: string;
  identity: string;
}

/** The outcome of one item. A writer reports failures here; it throws only when it cannot work at all. */
export interface WriteResult {
  key: string;
  ok: boolean;
  /** Cloud etag after the write, when the writer can tell (Graph). */
  etag?: string;
  /** Stable machine-readable id, e.g. `RequestEntityTooLarge`, `CmdletRetired`, `ImageNotFound`, `Forbidden`. */
  errorId?: string;
  /** HTTP status where there is one. */
  status?: number;
  message?: string;
  /** Plain advice for the admin: what to do about this failure. */
  advice?: string;
  /** Whether trying again later may succeed (throttling, timeouts, broken sessions). */
  retryable?: boolean;
}

/**
 * How the apply stage feeds a writer: items per call, and calls at once. Default one call of 20 at a time (a
 * PowerShell session runs one job at a time). A writer whose items are independent requests (Graph) takes one item a
 * call and many calls at once, so one slow item (a 429 waiting out its Retry-After) holds up nobody else.
 */
export interface WriteSchedule {
  batchSize: number;
  /** Calls at once; a function is asked again as calls finish, so the number can follow an adaptive budget. */
  callsAtOnce: number | (() => number);
}

export const DEFAULT_WRITE_SCHEDULE: WriteSchedule = { batchSize: 20, callsAtOnce: 1 };

/** A way of writing photos to where users see them. Implemented by the Graph and Exchange writers. */
export interface PhotoWriter {
  readonly route: Route;
  /** Default {@link DEFAULT_WRITE_SCHEDULE}. */
  readonly schedule?: WriteSchedule;
  /**
   * Writes the photos; resolves with one result per item. `onResult`, when given, hears each result as soon as the
   * writer knows it (before the whole call resolves), so the caller can record every write as its answer arrives.
   */
  setPhotos(items: readonly PhotoSetItem[], onResult?: (result: WriteResult) => void): Promise<WriteResult[]>;
  deletePhotos(items: readonly PhotoDeleteItem[], onResult?: (result: WriteResult) => void): Promise<WriteResult[]>;
  /** Release sessions, shells, sockets. Safe to call twice. */
  close(): Promise<void>;
}

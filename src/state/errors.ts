/** Typed errors of the state layer. Each carries `cause` when it wraps another error, and `advice` where there is some. */
import { HpsError, type ErrorKind, type HpsErrorOptions } from '../errors.js';

/** Base class: anything the state store, run lock or audit log cannot do. */
export class StateError extends HpsError {}

/** The state file cannot be opened as a hybrid-photo-sync state database (corrupt, foreign, unreadable). */
export class StateOpenError extends StateError {
  override readonly kind: ErrorKind = 'config';
  constructor(
    readonly path: string,
    message: string,
    options?: HpsErrorOptions,
  ) {
    super(message, { advice: 'set state.path in the config to another file, or move this one aside (a new state file means one full read)', ...options });
  }
}

/** The state file was written by a newer build whose schema this build does not know. */
export class StateSchemaTooNewError extends StateError {
  override readonly kind: ErrorKind = 'config';
  constructor(
    readonly path: string,
    readonly foundVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `state file ${path} has schema version ${foundVersion}, but this build of hybrid-photo-sync knows only up to ` +
        `version ${knownVersion}; upgrade hybrid-photo-sync or point --state at another file`,
    );
  }
}

/** Who holds a run lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601. */
  startedAt: string;
  runId?: string;
  command?: string;
  /** Random token that tells our own lock file from a later one at the same path. */
  nonce: string;
}

/** Another run holds the state lock. The message names the holder so the admin can find it. */
export class LockHeldError extends StateError {
  override readonly kind: ErrorKind = 'locked';
  constructor(
    readonly lockPath: string,
    /** Undefined when the lock file could not be read (being written right now, or garbled). */
    readonly holder: LockHolder | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      holder
        ? `another hybrid-photo-sync run holds the state lock: pid ${holder.pid} on host ${holder.hostname} ` +
            `since ${holder.startedAt}${holder.runId ? ` (run ${holder.runId})` : ''}; lock file ${lockPath}`
        : `another hybrid-photo-sync run holds the state lock (lock file ${lockPath} is being written or unreadable)`,
      {
        advice: 'wait for that run to finish and try again; a lock whose process has died is taken over automatically',
        ...options,
      },
    );
  }
}

/**
 * The audit log: one JSON object per line per event, append-only.
 *
 * Writing: the file is opened once with O_APPEND and every event is a single synchronous write(2) of one
 * whole line. That puts each line in the OS before `write()` returns, so a crash, an uncaught exception
 * or process.exit() loses nothing already written (a write stream would still hold queued lines in user
 * space, and those are exactly the lines that explain a crash). O_APPEND places each line at the end even
 * if something else appends too. `close()` fsyncs, so a finished run's log also survives power loss;
 * `fsyncEachLine` does that per line for the paranoid. appendFileSync would do the same per line but reopen
 * the file every time.
 *
 * Never written: photo bytes or secrets. Only the whitelisted fields below are serialised, non-text values
 * in text fields are replaced by a placeholder, and free text is scrubbed of tokens and base64 runs.
 */
import { closeSync, constants, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ACTIONS, ROUTES } from '../model.js';
import type { Action, Route } from '../model.js';
import { StateError, StateOpenError } from './errors.js';
import { ensurePrivateFolder } from './folder.js';
import { scrubText } from './redact.js';

export const AUDIT_RESULTS = ['ok', 'error', 'dry-run'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** Where a write went: the cloud photo (default, through `route`) or attributes on the on-prem AD user object. */
export const AUDIT_TARGETS = ['cloud', 'active-directory'] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];

/** One thing done (or decided) for one user. */
export interface AuditEvent {
  runId: string;
  /** Default: the log's clock. */
  at?: Date;
  dn: string;
  objectGuid: string;
  upn?: string;
  action: Action;
  route?: Route;
  /** Default `cloud`. `active-directory` lines name the attributes written in `attributes`. */
  target?: AuditTarget;
  /** For `active-directory`: e.g. `thumbnailPhoto` or `thumbnailPhoto,jpegPhoto`. */
  attributes?: string;
  /** Why: the classification or rule that led to the action. */
  reason: string;
  /** 'dry-run' for what a --dry-run would have done. */
  result: AuditResult;
  error?: string;
  /** Stable machine-readable error id from the writer (WriteResult.errorId). */
  errorId?: string;
}

export interface AuditLog {
  readonly path: string;
  write(event: AuditEvent): void;
  /** fsync and close. Safe to call twice. */
  close(): void;
}

export interface AuditLogOptions {
  now?: () => Date;
  /** fsync after every line (slower; default false: fsync on close). */
  fsyncEachLine?: boolean;
}

/** Only text goes into text fields: a Buffer or object here is a bug, and must not leak bytes. */
function text(value: unknown): string {
  return typeof value === 'string' ? scrubText(value) : '[non-text value removed]';
}

/** Pure: the JSON line (with trailing newline) for one event. */
export function formatAuditLine(event: AuditEvent, at: Date): string {
  if (!(ACTIONS as readonly string[]).includes(event.action)) throw new TypeError(`unknown audit action ${String(event.action)}`);
  if (!(AUDIT_RESULTS as readonly string[]).includes(event.result)) throw new TypeError(`unknown audit result ${String(event.result)}`);
  if (event.route !== undefined && !(ROUTES as readonly string[]).includes(event.route)) {
    throw new TypeError(`unknown audit route ${String(event.route)}`);
  }
  const line: Record<string, string> = {
    at: (event.at ?? at).toISOString(),
    runId: text(event.runId),
    action: event.action,
    result: event.result,
    objectGuid: text(event.objectGuid),
    dn: text(event.dn),
  };
  if (event.upn !== undefined) line.upn = text(event.upn);
  if (event.route !== undefined) line.route = event.route;
  if (event.target !== undefined) {
    if (!(AUDIT_TARGETS as readonly string[]).includes(event.target)) throw new TypeError(`unknown audit target ${String(event.target)}`);
    line.target = event.target;
  }
  if (event.attributes !== undefined) line.attributes = text(event.attributes);
  line.reason = text(event.reason);
  if (event.error !== undefined) line.error = text(event.error);
  if (event.errorId !== undefined) line.errorId = text(event.errorId);
  return `${JSON.stringify(line)}\n`;
}

/** Open (creating if needed, mode 0600) an audit log for appending. */
export function openAuditLog(path: string, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  const file = resolve(path);
  let fd: number | undefined;
  ensurePrivateFolder(dirname(file), `audit log ${file}`, file);
  try {
    // O_NONBLOCK: a FIFO named as the log fails (ENXIO) instead of waiting for a reader; then only a regular file.
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0), 0o600);
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    // The configured state.auditLog cannot be used (a folder, no permission, a device): a configuration error.
    const why = (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder; give a file name' : (err as Error).message;
    throw new StateOpenError(file, `cannot open audit log ${file}: ${why}`, { cause: err });
  }

  return {
    path: file,
    write(event) {
      if (fd === undefined) throw new StateError(`audit log ${file} is closed`);
      const bytes = Buffer.from(formatAuditLine(event, now()), 'utf8');
      try {
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        if (options.fsyncEachLine) fsyncSync(fd);
      } catch (err) {
        throw new StateError(`cannot write audit log ${file}: ${(err as Error).message}`, { cause: err });
      }
    },
    close() {
      if (fd === undefined) return;
      const closing = fd;
      fd = undefined;
      try {
        fsyncSync(closing);
      } finally {
        closeSync(closing);
      }
    },
  };
}

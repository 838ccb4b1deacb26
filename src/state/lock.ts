/**
 * One run at a time per state file.
 *
 * A lock file beside the state file (`<state>.lock`), created with O_EXCL (`wx`), holds JSON naming the holder:
 * { pid, hostname, startedAt, runId, command, nonce }. A lock left by a crashed run does not stick: it is taken
 * over when its pid is dead on this host (process.kill(pid, 0) → ESRCH), when it shows no sign of life
 * (max of startedAt and the file's mtime, which `touch()` refreshes) for longer than `staleAfterMs` (6 h),
 * or when it is unreadable and older than a short grace. Otherwise acquiring fails with LockHeldError naming
 * the holder.
 *
 * Why not SQLite's own locking: SQLite locks a transaction, not a run. A run spans minutes of network I/O
 * between short transactions (better-sqlite3 transactions cannot span an await), and we want each batch of
 * results durable as it lands, not one giant transaction. `locking_mode=EXCLUSIVE` would hold the file for
 * the whole connection, but it also shuts out read-only commands (report), fails with an anonymous
 * SQLITE_BUSY instead of naming the holder, cannot tell a dead holder from a live one, and SQLite's locks are
 * unreliable on network file systems. The lock file also covers opening and migrating the database.
 *
 * Take-over is serialised by a short-lived guard file (`<state>.lock.takeover`, also `wx`), so two runs that
 * both find the same stale lock cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { LockHeldError, StateError, StateOpenError } from './errors.js';
import { ensurePrivateFolder } from './folder.js';
import type { LockHolder } from './errors.js';

export type { LockHolder } from './errors.js';

/** A pino-compatible sliver of a logger. */
export interface LockLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface RunLockOptions {
  /** Written into the lock file so a blocked run can say who holds it. */
  owner?: { runId?: string; command?: string };
  now?: () => Date;
  /** A lock with no sign of life for this long is taken over. Default 6 h. */
  staleAfterMs?: number;
  /** An unreadable (half-written or garbled) lock file older than this is taken over. Default 30 s. */
  unreadableGraceMs?: number;
  hostname?: string;
  pid?: number;
  isPidAlive?: (pid: number) => boolean;
  /** Where take-overs and foreign-lock releases are reported. Default: one line on stderr. */
  log?: LockLogger;
}

export type TakeOverReason = 'dead-pid' | 'stale' | 'unreadable';

export interface RunLock {
  /** The lock file ('' for an in-memory state, which needs no lock). */
  readonly path: string;
  readonly holder: LockHolder;
  /** Set when this lock was taken over from a crashed or stale run. */
  readonly tookOver?: { from: LockHolder | undefined; reason: TakeOverReason };
  /** Show a sign of life (refreshes the file's mtime), for runs that may outlast `staleAfterMs`. */
  touch(): Promise<void>;
  /** Remove the lock file if it is still ours. Returns whether it removed it. Safe to call twice. */
  release(): Promise<boolean>;
  /** `release()` for a process about to exit (a signal handler): synchronous, same checks. */
  releaseSync(): boolean;
}

export const DEFAULT_STALE_AFTER_MS = 6 * 60 * 60 * 1000;
const DEFAULT_UNREADABLE_GRACE_MS = 30_000;
const GUARD_STALE_MS = 30_000;
const MAX_ROUNDS = 3;

/** The lock file that guards a state file. */
export function lockPathFor(stateFile: string): string {
  return `${resolve(stateFile)}.lock`;
}

/** Whether a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Parse lock file text; undefined when it is not a complete holder record. */
export function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder> | null;
    if (!v || typeof v !== 'object') return undefined;
    if (!Number.isInteger(v.pid) || typeof v.hostname !== 'string' || typeof v.startedAt !== 'string' || typeof v.nonce !== 'string') {
      return undefined;
    }
    return {
      pid: v.pid as number,
      hostname: v.hostname,
      startedAt: v.startedAt,
      nonce: v.nonce,
      ...(typeof v.runId === 'string' ? { runId: v.runId } : {}),
      ...(typeof v.command === 'string' ? { command: v.command } : {}),
    };
  } catch {
    return undefined;
  }
}

export interface LockJudgement {
  stale: boolean;
  reason?: TakeOverReason;
}

/** Pure: may an existing lock be taken over? */
export function judgeLock(
  existing: { holder: LockHolder | undefined; mtime: Date },
  ctx: { now: Date; hostname: string; staleAfterMs: number; unreadableGraceMs: number; isPidAlive: (pid: number) => boolean },
): LockJudgement {
  const nowMs = ctx.now.getTime();
  const { holder } = existing;
  if (!holder) {
    return nowMs - existing.mtime.getTime() > ctx.unreadableGraceMs ? { stale: true, reason: 'unreadable' } : { stale: false };
  }
  if (holder.hostname.toLowerCase() === ctx.hostname.toLowerCase() && !ctx.isPidAlive(holder.pid)) {
    return { stale: true, reason: 'dead-pid' };
  }
  const started = Date.parse(holder.startedAt);
  const lastSign = Math.max(Number.isNaN(started) ? 0 : started, existing.mtime.getTime());
  return nowMs - lastSign > ctx.staleAfterMs ? { stale: true, reason: 'stale' } : { stale: false };
}

const isCode = (err: unknown, code: string): boolean => (err as NodeJS.ErrnoException | null)?.code === code;

/** Create `path` exclusively with `text`, flushed. false when it already exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if (isCode(err, 'EEXIST')) return false;
    // Cannot create it at all (no permission, read-only file system): the configured place is wrong.
    throw new StateOpenError(path, `cannot create lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw new StateError(`cannot write lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
  await handle.close();
  return true;
}

/** The lock file's text and mtime, or undefined when it is gone. */
async function readLock(path: string): Promise<{ text: string; mtime: Date } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, mtime: st.mtime };
  } catch (err) {
    if (isCode(err, 'ENOENT')) return undefined;
    throw new StateError(`cannot read lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Replace the lock whose text is `expected` by ours, under the take-over guard. false when someone else is
 * taking over or the lock changed meanwhile. Exported for tests; use acquireRunLock.
 */
export async function takeOver(path: string, expected: string, ours: string, now: Date): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard, ours))) {
    const g = await stat(guard).catch(() => undefined);
    // A guard lives for milliseconds; an old one was left by a crash mid-take-over.
    if (g && now.getTime() - g.mtime.getTime() > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const current = await readLock(path);
    if (current && current.text !== expected) return false;
    if (current) await unlink(path).catch((err: unknown) => {
      if (!isCode(err, 'ENOENT')) throw err;
    });
    return await createExclusive(path, ours);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

const stderrLogger: LockLogger = {
  warn: (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
};

/**
 * Take the run lock for a state file. Throws LockHeldError when another live run holds it.
 * ':memory:' needs no lock: the returned lock does nothing.
 */
export async function acquireRunLock(stateFile: string, options: RunLockOptions = {}): Promise<RunLock> {
  const now = options.now ?? (() => new Date());
  const host = options.hostname ?? osHostname();
  const log = options.log ?? stderrLogger;
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    hostname: host,
    startedAt: now().toISOString(),
    ...(options.owner?.runId !== undefined ? { runId: options.owner.runId } : {}),
    ...(options.owner?.command !== undefined ? { command: options.owner.command } : {}),
    nonce: randomBytes(12).toString('hex'),
  };
  if (stateFile === ':memory:') {
    return { path: '', holder, touch: async () => undefined, release: async () => false, releaseSync: () => false };
  }

  const path = lockPathFor(stateFile);
  ensurePrivateFolder(dirname(path), `state file ${resolve(stateFile)}`, resolve(stateFile));
  const text = `${JSON.stringify(holder)}\n`;
  let lastSeen: LockHolder | undefined;

  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await createExclusive(path, text)) return makeLock(path, holder, log, now);
    const existing = await readLock(path);
    if (!existing) continue; // released between our attempt and our look: try again
    lastSeen = parseHolder(existing.text);
    const verdict = judgeLock(
      { holder: lastSeen, mtime: existing.mtime },
      {
        now: now(),
        hostname: host,
        staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
        unreadableGraceMs: options.unreadableGraceMs ?? DEFAULT_UNREADABLE_GRACE_MS,
        isPidAlive: options.isPidAlive ?? isPidAlive,
      },
    );
    if (!verdict.stale || !verdict.reason) throw new LockHeldError(path, lastSeen);
    if (await takeOver(path, existing.text, text, now())) {
      log.warn(
        { lockPath: path, reason: verdict.reason, previous: lastSeen ?? null, runId: holder.runId ?? null },
        `took over the state lock from a ${verdict.reason === 'dead-pid' ? 'crashed' : verdict.reason} run`,
      );
      return makeLock(path, holder, log, now, { from: lastSeen, reason: verdict.reason });
    }
  }
  throw new LockHeldError(path, lastSeen);
}

function makeLock(
  path: string,
  holder: LockHolder,
  log: LockLogger,
  now: () => Date,
  tookOver?: RunLock['tookOver'],
): RunLock {
  let released = false;
  const stillOurs = async (): Promise<boolean> => {
    const current = await readLock(path);
    return current !== undefined && parseHolder(current.text)?.nonce === holder.nonce;
  };
  return {
    path,
    holder,
    ...(tookOver ? { tookOver } : {}),
    async touch() {
      if (released) throw new StateError('the run lock was released');
      if (!(await stillOurs())) throw new StateError(`the run lock ${path} is no longer ours (taken over as stale?)`);
      const at = now();
      await utimes(path, at, at);
    },
    async release() {
      if (released) return false;
      released = true;
      const current = await readLock(path);
      if (!current) return false;
      const owner = parseHolder(current.text);
      if (owner?.nonce !== holder.nonce) {
        log.warn({ lockPath: path, holder: owner ?? null }, 'the state lock is no longer ours; leaving it in place');
        return false;
      }
      try {
        await unlink(path);
        return true;
      } catch (err) {
        if (isCode(err, 'ENOENT')) return false;
        throw new StateError(`cannot remove lock file ${path}: ${(err as Error).message}`, { cause: err });
      }
    },
    releaseSync() {
      if (released) return false;
      released = true;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return false;
      }
      if (parseHolder(text)?.nonce !== holder.nonce) return false;
      try {
        unlinkSync(path);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Everything around one state-changing run: the state file and its lock, the run record, the audit log.
 * The lock is taken before the state is opened and released last, even when the run throws.
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Env } from '../config/secrets.js';
import { openAuditLog, type AuditLog } from '../state/audit.js';
import { StateError } from '../state/errors.js';
import { acquireRunLock, type LockLogger } from '../state/lock.js';
import { defaultStatePath } from '../state/paths.js';
import { newRunId } from '../state/run-id.js';
import { openSqliteStore } from '../state/sqlite-store.js';
import type { RunStatus, StateStore } from '../state/store.js';
import { ensurePrivateFolder } from '../state/folder.js';

const LOCK_HEARTBEAT_MS = 10 * 60 * 1000;

export interface RunContext {
  runId: string;
  state: StateStore;
  audit: AuditLog;
  statePath: string;
}

export interface RunEnd<T> {
  value: T;
  status: RunStatus;
  exitCode: number;
  summary: unknown;
}

/**
 * Registers what to do, synchronously, when the process is interrupted (SIGINT, SIGTERM) and about to exit;
 * returns the function that unregisters it. The CLI supplies one for real processes; tests and library use may not.
 */
export type OnInterrupt = (cleanup: (signal: string) => void) => () => void;

/** The exit code a process ends with after `signal`, as shells report it (128 + signal number). */
export function interruptExitCode(signal: string): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143;
}

/** A run whose lock we took over crashed: record it as aborted, so the run history does not say 'running' forever. */
function markCrashedRun(state: StateStore, runId: string | undefined): void {
  if (!runId) return;
  try {
    state.finishRun(runId, { status: 'aborted', summary: { note: 'the process ended without finishing; its lock was taken over' }, exitCode: -1 });
  } catch {
    // The crashed run may have died before it was recorded.
  }
}

export function statePathFor(cfg: Config, env: Env): string {
  return cfg.state.path ?? defaultStatePath({ platform: process.platform, env, homedir: homedir() });
}

/** The lock cannot be created because of where the state lives (permissions, read-only disk): the admin's to fix. */
function lockPlaceError(err: unknown, statePath: string): ConfigError | undefined {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  if (!(err instanceof StateError) || typeof code !== 'string' || !['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC'].includes(code)) return undefined;
  return new ConfigError(`cannot write the state directory ${dirname(statePath)}: ${err.message} (set state.path in the config to a place this account can write)`, { cause: err });
}

export async function withRun<T>(
  cfg: Config,
  env: Env,
  command: { name: string; options: unknown; log?: LockLogger; onInterrupt?: OnInterrupt },
  work: (ctx: RunContext) => Promise<RunEnd<T>>,
): Promise<T> {
  const statePath = statePathFor(cfg, env);
  try {
    ensurePrivateFolder(dirname(statePath), `state file ${statePath}`, statePath); // 0700; never loops under /proc
  } catch (err) {
    throw new ConfigError(`cannot create the state directory ${dirname(statePath)}: ${(err as Error).message} (set state.path in the config to a writable place)`, { cause: err });
  }
  const runId = newRunId();
  const lock = await acquireRunLock(statePath, { owner: { runId, command: command.name }, ...(command.log ? { log: command.log } : {}) }).catch(
    (err: unknown) => {
      throw lockPlaceError(err, statePath) ?? err;
    },
  );
  // A sign of life for runs that outlast the lock's staleness window (6 h), so nobody takes the lock over.
  const heartbeat = setInterval(() => void lock.touch().catch(() => undefined), LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const state = openSqliteStore(statePath);
    markCrashedRun(state, lock.tookOver?.from?.runId);
    const audit = openAuditLog(cfg.state.auditLog ?? join(dirname(statePath), 'audit.jsonl'));
    // Interrupted (Ctrl-C, a scheduler's stop): record the run as aborted, close the files and free the lock before
    // the process exits. What was written is recorded already (per write batch); the next run goes on from there.
    const forget = command.onInterrupt?.((signal) => {
      clearInterval(heartbeat);
      const quietly = (f: () => void): void => {
        try {
          f();
        } catch {
          // exiting anyway: do the rest
        }
      };
      quietly(() => state.finishRun(runId, { status: 'aborted', summary: { note: `interrupted by ${signal}` }, exitCode: interruptExitCode(signal) }));
      quietly(() => audit.close());
      quietly(() => state.close());
      quietly(() => lock.releaseSync());
    });
    try {
      state.startRun({ command: command.name, options: command.options, runId });
      try {
        const end = await work({ runId, state, audit, statePath });
        state.finishRun(runId, { status: end.status, summary: end.summary, exitCode: end.exitCode });
        return end.value;
      } catch (err) {
        state.finishRun(runId, { status: 'failed', summary: { error: (err as Error).message }, exitCode: -1 });
        throw err;
      }
    } finally {
      forget?.();
      audit.close();
      state.close();
    }
  } finally {
    clearInterval(heartbeat);
    await lock.release();
  }
}

/**
 * The behaviour of a state store, written once over a small storage interface (`StateBackend`).
 * The SQLite and in-memory stores differ only in how they keep rows; every rule lives here or in
 * user-record.ts, so both behave the same and one contract test suite covers both.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { StateError } from './errors.js';
import { normaliseGuid } from './keys.js';
import { toStoredJson } from './redact.js';
import { runIdFactory } from './run-id.js';
import { RUN_STATUSES } from './store.js';
import type { DirectoryMark, RunRecord, StateStore, StoreOptions, UserState } from './store.js';
import { applyCloudSeen, applyFailure, applyPatch, applyPush, changesNothing } from './user-record.js';

/** One directory's row: its mark and/or its last full run. */
export interface MarkRow {
  mark?: DirectoryMark;
  lastFullRunAt?: Date;
}

/** Row storage. Keys arrive normalised; records are whole (no partial updates at this level). */
export interface StateBackend {
  readUser(objectGuid: string): UserState | undefined;
  readUsers(objectGuids: readonly string[]): UserState[];
  writeUser(user: UserState): void;
  deleteUser(objectGuid: string): boolean;
  /** Up to `limit` users with objectGuid > `after`, ascending. */
  pageUsers(after: string | undefined, limit: number): UserState[];
  usersWithError(): UserState[];
  readMarkRow(directoryKey: string): MarkRow | undefined;
  writeMarkRow(directoryKey: string, row: MarkRow): void;
  deleteMarkRow(directoryKey: string): void;
  readRun(runId: string): RunRecord | undefined;
  writeRun(run: RunRecord): void;
  recentRuns(limit: number): RunRecord[];
  /** Atomic, nestable, synchronous-only (a promise-returning fn is rolled back and refused). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

const PAGE = 500;

/** The state store behaviour over a backend. */
export function createStateStore(backend: StateBackend, options: StoreOptions = {}): StateStore {
  const now = options.now ?? (() => new Date());
  const nextRunId = runIdFactory(now, options.randomBytes ?? cryptoRandomBytes);
  const tx = <T>(fn: () => T): T => backend.transaction(fn);

  /** Read, apply a pure rule, write back: atomically. */
  const update = (objectGuid: string, rule: (prev: UserState | undefined, at: Date) => UserState): UserState =>
    tx(() => {
      const key = normaliseGuid(objectGuid);
      const prev = backend.readUser(key);
      const next = rule(prev, now());
      if (prev && changesNothing(prev, next)) return prev;
      backend.writeUser(next);
      return next;
    });

  const checkKey = (directoryKey: string): string => {
    if (directoryKey.trim() === '') throw new TypeError('directoryKey must not be empty');
    return directoryKey;
  };

  return {
    getUser: (objectGuid) => backend.readUser(normaliseGuid(objectGuid)),

    getUsers(objectGuids) {
      const keys = [...new Set([...objectGuids].map(normaliseGuid))];
      const found = new Map<string, UserState>();
      for (const user of backend.readUsers(keys)) found.set(user.objectGuid, user);
      return found;
    },

    upsertUser: (patch) => update(patch.objectGuid, (prev, at) => applyPatch(prev, patch, at)),
    recordPush: (push) => update(push.objectGuid, (prev, at) => applyPush(prev, push, at)),
    recordFailure: (failure) => update(failure.objectGuid, (prev, at) => applyFailure(prev, failure, at)),
    recordCloudSeen: (seen) => update(seen.objectGuid, (prev, at) => applyCloudSeen(prev, seen, at)),
    usersWithPendingErrors: () => backend.usersWithError(),
    forget: (objectGuid) => tx(() => backend.deleteUser(normaliseGuid(objectGuid))),

    *allUsers() {
      let after: string | undefined;
      for (;;) {
        const page = backend.pageUsers(after, PAGE);
        yield* page;
        if (page.length < PAGE) return;
        after = page[page.length - 1]?.objectGuid;
      }
    },

    getMark: (directoryKey) => backend.readMarkRow(checkKey(directoryKey))?.mark,

    setMark(directoryKey, mark) {
      if (typeof mark.usn !== 'bigint') throw new TypeError('mark.usn must be a bigint (USNs are 64-bit)');
      if (mark.usn < 0n || mark.usn >= 1n << 64n) throw new RangeError(`mark.usn out of range: ${mark.usn}`);
      if (mark.invocationId.trim() === '') throw new TypeError('mark.invocationId must not be empty');
      tx(() => {
        const row = backend.readMarkRow(checkKey(directoryKey)) ?? {};
        backend.writeMarkRow(directoryKey, { ...row, mark: { ...mark, at: new Date(mark.at.getTime()) } });
      });
    },

    clearMark: (directoryKey) => tx(() => backend.deleteMarkRow(checkKey(directoryKey))),

    lastFullRunAt: (directoryKey) => backend.readMarkRow(checkKey(directoryKey))?.lastFullRunAt,

    recordFullRun(directoryKey, at = now()) {
      tx(() => {
        const row = backend.readMarkRow(checkKey(directoryKey)) ?? {};
        backend.writeMarkRow(directoryKey, { ...row, lastFullRunAt: new Date(at.getTime()) });
      });
    },

    startRun(run) {
      if (run.command.trim() === '') throw new TypeError('run.command must not be empty');
      const runId = run.runId ?? nextRunId();
      return tx(() => {
        if (backend.readRun(runId)) throw new StateError(`run ${runId} already exists`);
        backend.writeRun({
          runId,
          command: run.command,
          options: JSON.parse(toStoredJson(run.options)) as unknown,
          startedAt: now(),
          status: 'running',
        });
        return runId;
      });
    },

    finishRun(runId, finish) {
      if (!(RUN_STATUSES as readonly string[]).includes(finish.status)) {
        throw new TypeError(`unknown run status ${String(finish.status)}`);
      }
      if (!Number.isInteger(finish.exitCode)) throw new TypeError('exitCode must be an integer');
      tx(() => {
        const run = backend.readRun(runId);
        if (!run) throw new StateError(`no run ${runId} in this state file`);
        const { summary: _old, ...rest } = run;
        backend.writeRun({
          ...rest,
          finishedAt: now(),
          status: finish.status,
          exitCode: finish.exitCode,
          ...(finish.summary !== undefined ? { summary: JSON.parse(toStoredJson(finish.summary)) as unknown } : {}),
        });
      });
    },

    recentRuns(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError('limit must be a non-negative integer');
      return limit === 0 ? [] : backend.recentRuns(limit);
    },

    transaction: tx,
    close: () => backend.close(),
  };
}

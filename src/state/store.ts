/**
 * The state store: hybrid-photo-sync's memory between runs. It makes drift three-way (source / what we
 * pushed / cloud now) and reruns cheap (directory high-water marks, cloud etags and fingerprints).
 *
 * Synchronous by design: the SQLite implementation is better-sqlite3, whose calls are synchronous and whose
 * transactions cannot span an `await`. Keep network I/O outside `transaction()`; record its results after.
 */
import type { Action, Route } from '../model.js';

export const DEFERRED_KINDS = ['waiting', 'blocked'] as const;
export type DeferredKind = (typeof DEFERRED_KINDS)[number];

/** What the state remembers about one on-prem user, keyed by objectGUID (lower-case canonical form). */
export interface UserState {
  objectGuid: string;
  dn?: string;
  upn?: string;
  /** Entra ID object id of the matched cloud user. */
  cloudId?: string;
  route?: Route;
  /** Fingerprint of the source photo last seen (exact and perceptual). */
  sourceSha256?: string;
  sourcePhash?: string;
  /** Fingerprint of the normalised JPEG we last uploaded. Absent after a delete. */
  pushedSha256?: string;
  pushedPhash?: string;
  /** Cloud etag right after our last successful push, when the writer could tell (Graph). */
  cloudEtagAfterPush?: string;
  /** Cloud etag seen by the last run that looked. */
  lastCloudEtagSeen?: string;
  /** Perceptual hash of the cloud photo last downloaded, and the etag it belongs to. Use `cloudPhashFor()`. */
  cloudPhash?: string;
  cloudPhashEtag?: string;
  lastAction?: Action;
  lastResult?: 'ok' | 'error';
  lastError?: string;
  /**
   * Pending for something outside the directory rather than for a failure (see pending.ts): `waiting` for a cloud
   * account, `blocked` by the tenant photo policy. Set only with `lastResult: 'error'`.
   */
  deferred?: DeferredKind;
  /** Consecutive failures; back to 0 after a success. */
  attempts: number;
  updatedAt: Date;
  lastRunId?: string;
}

/** The fields a patch may set. */
export type UserFields = Omit<UserState, 'objectGuid' | 'attempts' | 'updatedAt'>;

/**
 * A partial update. A field left out (or undefined) is kept; a field set to `null` is cleared.
 * `attempts` can be set explicitly (e.g. 0 to forgive); `updatedAt` always becomes now.
 */
export type UserPatch = { objectGuid: string; attempts?: number } & {
  [K in keyof UserFields]?: UserFields[K] | null;
};

/** Identity fields that any record call may refresh in passing. */
interface IdentityRefresh {
  dn?: string;
  upn?: string;
  cloudId?: string;
  route?: Route;
}

/** A successful write to the cloud. */
export type PushRecord = IdentityRefresh & {
  objectGuid: string;
  runId: string;
  /** Fingerprint of the source photo the pushed JPEG was made from. */
  sourceSha256?: string;
  sourcePhash?: string;
} & (
    | {
        action: 'set';
        pushedSha256: string;
        pushedPhash: string;
        /** Cloud etag after the write, when the writer can tell. */
        etag?: string;
      }
    | { action: 'delete' }
  );

/** A failed attempt for one user. */
export type FailureRecord = IdentityRefresh & {
  objectGuid: string;
  runId: string;
  /** Human-readable error; truncated and scrubbed of tokens and base64 blobs before it is stored. */
  error: string;
  action?: Action;
};

/** What a run saw of a user's cloud photo. `etag: null` means the cloud has no photo. */
export interface CloudSeen {
  objectGuid: string;
  etag: string | null;
  /** Perceptual hash of the cloud photo, when this run downloaded it. Stored against `etag`. */
  phash?: string;
  runId?: string;
}

/** A directory high-water mark: where the last incremental read of one directory got to. */
export interface DirectoryMark {
  /** The DC's invocationId; a different one means another DC (or a restore) and the USN is meaningless. */
  invocationId: string;
  /** highestCommittedUSN at the start of the read. 64-bit; stored as TEXT so it round-trips exactly. */
  usn: bigint;
  at: Date;
}

export const RUN_STATUSES = ['ok', 'partial', 'failed', 'aborted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface StartRun {
  command: string;
  /** Effective options; secrets are redacted by key name before they are stored. */
  options: unknown;
  /** Use an id made beforehand (e.g. one already written into the run lock). Default: a new one. */
  runId?: string;
}

export interface FinishRun {
  status: RunStatus;
  summary?: unknown;
  exitCode: number;
}

export interface RunRecord {
  runId: string;
  command: string;
  options: unknown;
  startedAt: Date;
  finishedAt?: Date;
  /** 'running' until finishRun; a run that crashed stays 'running' (the next run can mark it 'aborted'). */
  status: RunStatus | 'running';
  summary?: unknown;
  exitCode?: number;
}

/** The state store. Implementations: `openSqliteStore` (sqlite-store.ts), `openMemoryStore` (memory-store.ts). */
export interface StateStore {
  getUser(objectGuid: string): UserState | undefined;
  /** Batched look-up; the map is keyed by lower-case objectGUID and holds only users the store knows. */
  getUsers(objectGuids: Iterable<string>): Map<string, UserState>;
  /** Create or update; see `UserPatch` for the keep/clear rules. Returns the stored record. */
  upsertUser(patch: UserPatch): UserState;
  /** A successful set or delete: remembers what is now in the cloud, resets the failure count. */
  recordPush(push: PushRecord): UserState;
  /** A failed attempt: attempts + 1, lastResult 'error'. What was pushed before is kept. */
  recordFailure(failure: FailureRecord): UserState;
  /** What a run saw in the cloud (etag, and the fingerprint when it downloaded the photo). */
  recordCloudSeen(seen: CloudSeen): UserState;
  /** Users whose last attempt failed, by objectGUID. */
  usersWithPendingErrors(): UserState[];
  /** Drop a user (e.g. gone from the directory). Returns whether there was one. */
  forget(objectGuid: string): boolean;
  /** Every user, by objectGUID. Paged: writing to the store while iterating is allowed. */
  allUsers(): IterableIterator<UserState>;

  getMark(directoryKey: string): DirectoryMark | undefined;
  setMark(directoryKey: string, mark: DirectoryMark): void;
  /** Forget a directory's mark and last full run (what `--reload` wants). */
  clearMark(directoryKey: string): void;
  /** When the last full (non-incremental) read of this directory finished; drives `fullEvery`. */
  lastFullRunAt(directoryKey: string): Date | undefined;
  recordFullRun(directoryKey: string, at?: Date): void;

  /** Returns the run id (sortable: time first, 26 characters of Crockford base32). */
  startRun(run: StartRun): string;
  /** Finishing again overwrites (a late failure may downgrade 'ok' to 'failed'). Unknown run: StateError. */
  finishRun(runId: string, finish: FinishRun): void;
  /** Newest first. */
  recentRuns(limit: number): RunRecord[];

  /**
   * Run `fn` atomically: all its writes land, or none do. Nests (inner failures roll back to the savepoint).
   * `fn` must be synchronous; a function returning a promise is refused with a TypeError.
   */
  transaction<T>(fn: () => T): T;
  /** Release the database. Safe to call twice. */
  close(): void;
}

/** Options every store accepts. */
export interface StoreOptions {
  now?: () => Date;
  /** Randomness for run ids (tests pin it). Default: crypto.randomBytes. */
  randomBytes?: (size: number) => Buffer;
}

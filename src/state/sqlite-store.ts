/**
 * The SQLite state store (better-sqlite3): one file, WAL journal, busy timeout, forward migrations.
 * Behaviour lives in backend.ts; this file only maps records to rows.
 */
import { chmodSync, existsSync } from 'node:fs';
import { ensurePrivateFolder } from './folder.js';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { createStateStore } from './backend.js';
import type { MarkRow, StateBackend } from './backend.js';
import { StateError, StateOpenError, StateSchemaTooNewError } from './errors.js';
import { APPLICATION_ID, LATEST_VERSION, currentVersion, hasForeignTables, migrate } from './sqlite-schema.js';
import type { RunRecord, StateStore, StoreOptions, UserState } from './store.js';
import { USER_FIELDS } from './user-record.js';

export interface SqliteStoreOptions extends StoreOptions {
  /** How long a write waits for another connection's lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
}

export interface SqliteStateStore extends StateStore {
  /** Absolute path, or ':memory:'. */
  readonly path: string;
  readonly schemaVersion: number;
  /** 'wal' for files (unless the file system refuses it), 'memory' for ':memory:'. */
  readonly journalMode: string;
}

type Field = (typeof USER_FIELDS)[number];
/** Record field → column (see sqlite-schema.ts). */
const COLUMN_OF: Record<Field, string> = {
  dn: 'dn',
  upn: 'upn',
  cloudId: 'cloud_id',
  route: 'route',
  sourceSha256: 'source_sha256',
  sourcePhash: 'source_phash',
  pushedSha256: 'pushed_sha256',
  pushedPhash: 'pushed_phash',
  cloudEtagAfterPush: 'cloud_etag_after_push',
  lastCloudEtagSeen: 'last_cloud_etag_seen',
  cloudPhash: 'cloud_phash',
  cloudPhashEtag: 'cloud_phash_etag',
  lastAction: 'last_action',
  lastResult: 'last_result',
  lastError: 'last_error',
  deferred: 'deferred',
  lastRunId: 'last_run_id',
};
const COLUMNS: readonly [Field, string][] = USER_FIELDS.map((f) => [f, COLUMN_OF[f]]);
const ALL_COLUMNS = ['object_guid', ...COLUMNS.map(([, c]) => c), 'attempts', 'updated_at'];
const IN_CHUNK = 500;

type Row = Record<string, string | number | null>;

function userFromRow(row: Row): UserState {
  const user: UserState = {
    objectGuid: String(row.object_guid),
    attempts: Number(row.attempts),
    updatedAt: new Date(String(row.updated_at)),
  };
  const target = user as unknown as Record<string, unknown>;
  for (const [field, column] of COLUMNS) {
    const value = row[column];
    if (value !== null && value !== undefined) target[field] = value;
  }
  return user;
}

function rowFromUser(user: UserState): Row {
  const row: Row = { object_guid: user.objectGuid, attempts: user.attempts, updated_at: user.updatedAt.toISOString() };
  const source = user as unknown as Record<string, string | undefined>;
  for (const [field, column] of COLUMNS) row[column] = source[field] ?? null;
  return row;
}

function runFromRow(row: Row): RunRecord {
  const run: RunRecord = {
    runId: String(row.run_id),
    command: String(row.command),
    options: JSON.parse(String(row.options_json)) as unknown,
    startedAt: new Date(String(row.started_at)),
    status: String(row.status) as RunRecord['status'],
  };
  if (row.finished_at !== null) run.finishedAt = new Date(String(row.finished_at));
  if (row.summary_json !== null) run.summary = JSON.parse(String(row.summary_json)) as unknown;
  if (row.exit_code !== null) run.exitCode = Number(row.exit_code);
  return run;
}

class SqliteBackend implements StateBackend {
  private closed = false;
  private readonly inStatements = new Map<number, Statement>();
  private readonly s: Record<
    | 'readUser' | 'writeUser' | 'deleteUser' | 'pageFirst' | 'pageAfter' | 'errors'
    | 'readMark' | 'writeMark' | 'deleteMark' | 'readRun' | 'writeRun' | 'recentRuns',
    Statement
  >;

  constructor(private readonly db: Db) {
    const updates = ALL_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ');
    this.s = {
      readUser: db.prepare('SELECT * FROM users WHERE object_guid = ?'),
      writeUser: db.prepare(
        `INSERT INTO users (${ALL_COLUMNS.join(', ')}) VALUES (${ALL_COLUMNS.map((c) => `@${c}`).join(', ')})
         ON CONFLICT (object_guid) DO UPDATE SET ${updates}`,
      ),
      deleteUser: db.prepare('DELETE FROM users WHERE object_guid = ?'),
      pageFirst: db.prepare('SELECT * FROM users ORDER BY object_guid LIMIT ?'),
      pageAfter: db.prepare('SELECT * FROM users WHERE object_guid > ? ORDER BY object_guid LIMIT ?'),
      errors: db.prepare("SELECT * FROM users WHERE last_result = 'error' ORDER BY object_guid"),
      readMark: db.prepare('SELECT * FROM directory_marks WHERE directory_key = ?'),
      writeMark: db.prepare(
        `INSERT INTO directory_marks (directory_key, invocation_id, usn, mark_at, last_full_run_at)
         VALUES (@key, @invocationId, @usn, @at, @full)
         ON CONFLICT (directory_key) DO UPDATE SET invocation_id = excluded.invocation_id, usn = excluded.usn,
           mark_at = excluded.mark_at, last_full_run_at = excluded.last_full_run_at`,
      ),
      deleteMark: db.prepare('DELETE FROM directory_marks WHERE directory_key = ?'),
      readRun: db.prepare('SELECT * FROM runs WHERE run_id = ?'),
      writeRun: db.prepare(
        `INSERT INTO runs (run_id, command, options_json, started_at, finished_at, status, summary_json, exit_code)
         VALUES (@runId, @command, @options, @startedAt, @finishedAt, @status, @summary, @exitCode)
         ON CONFLICT (run_id) DO UPDATE SET command = excluded.command, options_json = excluded.options_json,
           started_at = excluded.started_at, finished_at = excluded.finished_at, status = excluded.status,
           summary_json = excluded.summary_json, exit_code = excluded.exit_code`,
      ),
      recentRuns: db.prepare('SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?'),
    };
  }

  private open(): void {
    if (this.closed) throw new StateError('the state store is closed');
  }

  readUser(objectGuid: string): UserState | undefined {
    this.open();
    const row = this.s.readUser.get(objectGuid) as Row | undefined;
    return row && userFromRow(row);
  }

  readUsers(objectGuids: readonly string[]): UserState[] {
    this.open();
    const out: UserState[] = [];
    for (let i = 0; i < objectGuids.length; i += IN_CHUNK) {
      const chunk = objectGuids.slice(i, i + IN_CHUNK);
      let stmt = this.inStatements.get(chunk.length);
      if (!stmt) {
        stmt = this.db.prepare(`SELECT * FROM users WHERE object_guid IN (${chunk.map(() => '?').join(', ')})`);
        this.inStatements.set(chunk.length, stmt);
      }
      for (const row of stmt.all(...chunk) as Row[]) out.push(userFromRow(row));
    }
    return out;
  }

  writeUser(user: UserState): void {
    this.open();
    this.s.writeUser.run(rowFromUser(user));
  }

  deleteUser(objectGuid: string): boolean {
    this.open();
    return this.s.deleteUser.run(objectGuid).changes > 0;
  }

  pageUsers(after: string | undefined, limit: number): UserState[] {
    this.open();
    const rows = (after === undefined ? this.s.pageFirst.all(limit) : this.s.pageAfter.all(after, limit)) as Row[];
    return rows.map(userFromRow);
  }

  usersWithError(): UserState[] {
    this.open();
    return (this.s.errors.all() as Row[]).map(userFromRow);
  }

  readMarkRow(directoryKey: string): MarkRow | undefined {
    this.open();
    const row = this.s.readMark.get(directoryKey) as Row | undefined;
    if (!row) return undefined;
    const out: MarkRow = {};
    if (row.invocation_id !== null && row.usn !== null && row.mark_at !== null) {
      out.mark = { invocationId: String(row.invocation_id), usn: BigInt(String(row.usn)), at: new Date(String(row.mark_at)) };
    }
    if (row.last_full_run_at !== null) out.lastFullRunAt = new Date(String(row.last_full_run_at));
    return out;
  }

  writeMarkRow(directoryKey: string, row: MarkRow): void {
    this.open();
    this.s.writeMark.run({
      key: directoryKey,
      invocationId: row.mark?.invocationId ?? null,
      usn: row.mark ? row.mark.usn.toString() : null,
      at: row.mark ? row.mark.at.toISOString() : null,
      full: row.lastFullRunAt ? row.lastFullRunAt.toISOString() : null,
    });
  }

  deleteMarkRow(directoryKey: string): void {
    this.open();
    this.s.deleteMark.run(directoryKey);
  }

  readRun(runId: string): RunRecord | undefined {
    this.open();
    const row = this.s.readRun.get(runId) as Row | undefined;
    return row && runFromRow(row);
  }

  writeRun(run: RunRecord): void {
    this.open();
    this.s.writeRun.run({
      runId: run.runId,
      command: run.command,
      options: JSON.stringify(run.options ?? null),
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
      status: run.status,
      summary: run.summary === undefined ? null : JSON.stringify(run.summary),
      exitCode: run.exitCode ?? null,
    });
  }

  recentRuns(limit: number): RunRecord[] {
    this.open();
    return (this.s.recentRuns.all(limit) as Row[]).map(runFromRow);
  }

  transaction<T>(fn: () => T): T {
    this.open();
    // IMMEDIATE takes the write lock up front, so a read-then-write never fails half-way with SQLITE_BUSY
    // (nested calls become savepoints).
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/** Open (creating if needed) and migrate a state file. ':memory:' gives a private in-process database. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStateStore {
  const now = options.now ?? (() => new Date());
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const inMemory = path === ':memory:';
  const file = inMemory ? path : resolve(path);
  let created = false;
  if (!inMemory) {
    ensurePrivateFolder(dirname(file), `state file ${file}`, file);
    created = !existsSync(file);
  }

  let db: Db;
  try {
    db = new Database(file, { timeout: busyTimeoutMs });
  } catch (err) {
    throw new StateOpenError(file, `cannot open state file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // The state names users; keep it private to the account that runs the sync (no-op on Windows).
    if (created && process.platform !== 'win32') chmodSync(file, 0o600);

    const appId = db.pragma('application_id', { simple: true }) as number;
    if ((appId !== 0 && appId !== APPLICATION_ID) || (appId === 0 && hasForeignTables(db))) {
      throw new StateOpenError(file, `${file} is an SQLite database but not a hybrid-photo-sync state file; refusing to touch it`);
    }
    const found = currentVersion(db);
    if (found > LATEST_VERSION) throw new StateSchemaTooNewError(file, found, LATEST_VERSION);

    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const journalMode = inMemory ? 'memory' : String(db.pragma('journal_mode = WAL', { simple: true }));
    // As the audit log: every commit survives the process being killed (it is in the WAL, which the OS holds), and a
    // power cut can cost only the last commits, never consistency; close() checkpoints with an fsync. FULL would
    // fsync per write answered, milliseconds of the event loop each (docs/state.md).
    db.pragma(`synchronous = ${inMemory ? 'OFF' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');

    migrate(db, now);
    if (appId !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);

    const store = createStateStore(new SqliteBackend(db), options);
    return { ...store, path: file, schemaVersion: currentVersion(db), journalMode };
  } catch (err) {
    db.close();
    if (err instanceof StateError) throw err;
    throw new StateOpenError(file, `cannot use state file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

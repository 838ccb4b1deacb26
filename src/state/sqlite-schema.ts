/**
 * The SQLite schema and its forward migrations. A migration is applied once, in its own transaction,
 * and recorded in `schema_version`; the current version is the highest recorded. Never edit a released
 * migration: add the next one.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** 'HPS1' as a 32-bit integer: marks a SQLite file as a hybrid-photo-sync state file (PRAGMA application_id). */
export const APPLICATION_ID = 0x48505331;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, directory marks, runs',
    sql: `
      CREATE TABLE users (
        object_guid           TEXT PRIMARY KEY NOT NULL,
        dn                    TEXT,
        upn                   TEXT,
        cloud_id              TEXT,
        route                 TEXT CHECK (route IN ('graph', 'exchange-onprem', 'exchange-legacy')),
        source_sha256         TEXT,
        source_phash          TEXT,
        pushed_sha256         TEXT,
        pushed_phash          TEXT,
        cloud_etag_after_push TEXT,
        last_cloud_etag_seen  TEXT,
        cloud_phash           TEXT,
        cloud_phash_etag      TEXT,
        last_action           TEXT CHECK (last_action IN ('set', 'delete', 'skip')),
        last_result           TEXT CHECK (last_result IN ('ok', 'error')),
        last_error            TEXT,
        attempts              INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        updated_at            TEXT NOT NULL,
        last_run_id           TEXT
      );
      CREATE INDEX users_pending_errors ON users (object_guid) WHERE last_result = 'error';

      CREATE TABLE directory_marks (
        directory_key     TEXT PRIMARY KEY NOT NULL,
        invocation_id     TEXT,
        usn               TEXT,   -- 64-bit USN as decimal text: exact, unlike a JS number
        mark_at           TEXT,
        last_full_run_at  TEXT
      );

      CREATE TABLE runs (
        run_id        TEXT PRIMARY KEY NOT NULL,
        command       TEXT NOT NULL,
        options_json  TEXT NOT NULL,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        status        TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'aborted')),
        summary_json  TEXT,
        exit_code     INTEGER
      );
      CREATE INDEX runs_started ON runs (started_at DESC, run_id DESC);
    `,
  },
  {
    version: 2,
    description: 'deferral in its own column instead of a "waiting: "/"blocked: " prefix in last_error',
    sql: `
      ALTER TABLE users ADD COLUMN deferred TEXT CHECK (deferred IN ('waiting', 'blocked'));
      UPDATE users SET deferred = 'waiting', last_error = substr(last_error, 10)
        WHERE last_result = 'error' AND last_error LIKE 'waiting: %';
      UPDATE users SET deferred = 'blocked', last_error = substr(last_error, 10)
        WHERE last_result = 'error' AND last_error LIKE 'blocked: %';
    `,
  },
  {
    version: 3,
    description: 'the comparator judges size and colour now: the next run reads every user once (resolution drift needs no directory change)',
    // The directory mark and its USN stay; forgetting the last full read makes the next run a full one, which finds
    // the cloud copies that the hash-only comparator called in sync but that are undersized (docs/state.md).
    sql: `
      UPDATE directory_marks SET last_full_run_at = NULL;
    `,
  },
];

/** The highest version this build knows. */
export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** The version recorded in the file, 0 for a file without our schema. */
export function currentVersion(db: Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Whether the file holds tables that are not ours (a different application's database). */
export function hasForeignTables(db: Database): boolean {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  return rows.length > 0 && !rows.some((r) => r.name === 'schema_version');
}

/**
 * Bring the schema up to the newest migration in `migrations`. Returns the versions applied.
 * The caller checks for a too-new file first (see `currentVersion`).
 */
export function migrate(db: Database, now: () => Date, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL, description TEXT NOT NULL)');
  const applied: number[] = [];
  const from = currentVersion(db);
  const pending = [...migrations].filter((m) => m.version > from).sort((a, b) => a.version - b.version);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)').run(
        m.version,
        now().toISOString(),
        m.description,
      );
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StateOpenError, StateSchemaTooNewError } from '../../src/state/errors.js';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, currentVersion, migrate } from '../../src/state/sqlite-schema.js';
import { openSqliteStore } from '../../src/state/sqlite-store.js';

const G1 = '0f8fad5b-d9cb-469f-a165-70867728950e';
const now = () => new Date('2025-03-01T10:00:00.000Z');

describe('SQLite state store: file, schema, migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hps-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates an empty file to the latest schema, in WAL mode with a busy timeout', () => {
    const file = join(dir, 'state.db');
    writeFileSync(file, '');
    const store = openSqliteStore(file, { now, busyTimeoutMs: 1234 });
    try {
      assert.equal(store.schemaVersion, LATEST_VERSION);
      assert.equal(store.journalMode, 'wal');
      assert.equal(store.path, file);
    } finally {
      store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      assert.deepEqual(
        db.prepare('SELECT version, applied_at, description FROM schema_version').all(),
        MIGRATIONS.map((m) => ({ version: m.version, applied_at: '2025-03-01T10:00:00.000Z', description: m.description })),
      );
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      assert.deepEqual(tables, ['directory_marks', 'runs', 'schema_version', 'users']);
    } finally {
      db.close();
    }
  });

  it('sets the busy timeout on the connection', () => {
    const file = join(dir, 'state.db');
    const store = openSqliteStore(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    try {
      // Another connection holds the write lock; our write waits ~50 ms, then fails with SQLITE_BUSY.
      other.prepare('BEGIN IMMEDIATE').run();
      const t0 = Date.now();
      assert.throws(() => store.upsertUser({ objectGuid: G1 }), (err: Error & { code?: string }) => err.code === 'SQLITE_BUSY');
      assert.ok(Date.now() - t0 >= 40, 'waited for the busy timeout before giving up');
      other.prepare('ROLLBACK').run();
      assert.equal(store.upsertUser({ objectGuid: G1 }).objectGuid, G1);
    } finally {
      other.close();
      store.close();
    }
  });

  it('creates missing folders, and the file is private to its owner on POSIX', function () {
    const file = join(dir, 'a', 'b', 'state.db');
    openSqliteStore(file).close();
    assert.ok(existsSync(file));
    if (process.platform === 'win32') this.skip();
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('keeps users, marks (exact bigint), and runs across reopen, without re-running migrations', () => {
    const file = join(dir, 'state.db');
    let store = openSqliteStore(file, { now });
    store.recordPush({ objectGuid: G1, runId: 'r1', action: 'set', pushedSha256: 'sha', pushedPhash: 'ph', etag: 'E1', route: 'graph' });
    store.setMark('ldaps://dc|dc=corp', { invocationId: 'inv', usn: 9007199254740993n, at: now() });
    const runId = store.startRun({ command: 'reconcile', options: { a: 1 } });
    store.finishRun(runId, { status: 'ok', exitCode: 0, summary: { set: 1 } });
    const before = store.getUser(G1);
    store.close();

    store = openSqliteStore(file, { now: () => new Date('2030-01-01T00:00:00Z') });
    try {
      assert.deepEqual(store.getUser(G1), before);
      assert.equal(store.getMark('ldaps://dc|dc=corp')?.usn, 9007199254740993n);
      assert.deepEqual(store.recentRuns(5).map((r) => [r.runId, r.status, r.summary]), [[runId, 'ok', { set: 1 }]]);
    } finally {
      store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n, MIGRATIONS.length);
      assert.equal((db.prepare('SELECT usn FROM directory_marks').get() as { usn: unknown }).usn, '9007199254740993', 'stored as exact text');
    } finally {
      db.close();
    }
  });

  it('applies only the missing forward migrations and keeps the data', () => {
    const db = new Database(join(dir, 'm.db'));
    try {
      assert.deepEqual(migrate(db, now), MIGRATIONS.map((m) => m.version));
      db.prepare("INSERT INTO users (object_guid, attempts, updated_at) VALUES ('g', 0, 'x')").run();
      const next = { version: LATEST_VERSION + 1, description: 'test: add a column', sql: 'ALTER TABLE users ADD COLUMN note TEXT' };
      assert.deepEqual(migrate(db, now, [...MIGRATIONS, next]), [LATEST_VERSION + 1]);
      assert.equal(currentVersion(db), LATEST_VERSION + 1);
      assert.deepEqual(db.prepare('SELECT object_guid, note FROM users').all(), [{ object_guid: 'g', note: null }]);
      assert.deepEqual(migrate(db, now, [...MIGRATIONS, next]), []);
    } finally {
      db.close();
    }
  });

  it('version 2 moves a deferral out of last_error into its own field; a plain failure keeps its error', () => {
    const file = join(dir, 'v1.db');
    const db = new Database(file);
    try {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      migrate(db, now, MIGRATIONS.filter((m) => m.version === 1));
      const insert = db.prepare("INSERT INTO users (object_guid, last_result, last_error, attempts, updated_at) VALUES (?, 'error', ?, 0, '2025-01-01T00:00:00.000Z')");
      insert.run('00000000-0000-0000-0000-000000000001', 'waiting: no cloud user found (tried userPrincipalName a@corp)');
      insert.run('00000000-0000-0000-0000-000000000002', 'blocked: set needed (cloud has no photo) but the tenant refuses cloud photo writes');
      insert.run('00000000-0000-0000-0000-000000000003', 'Forbidden 403: denied');
    } finally {
      db.close();
    }
    const store = openSqliteStore(file, { now });
    try {
      const [w, b, f] = ['1', '2', '3'].map((n) => store.getUser(`00000000-0000-0000-0000-00000000000${n}`));
      assert.deepEqual([w?.deferred, w?.lastError], ['waiting', 'no cloud user found (tried userPrincipalName a@corp)']);
      assert.deepEqual([b?.deferred, b?.lastError], ['blocked', 'set needed (cloud has no photo) but the tenant refuses cloud photo writes']);
      assert.deepEqual([f?.deferred, f?.lastError], [undefined, 'Forbidden 403: denied']);
      assert.equal(store.usersWithPendingErrors().length, 3, 'deferred users stay pending');
    } finally {
      store.close();
    }
  });

  it('version 3 makes the next run a full read: each directory mark keeps its USN and forgets its last full read', () => {
    const file = join(dir, 'v2.db');
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    migrate(db, now, MIGRATIONS.filter((m) => m.version <= 2));
    db.prepare("INSERT INTO directory_marks VALUES ('ldaps://dc|ou=staff', 'inv-1', '18446744073709551615', '2025-02-28T10:00:00.000Z', '2025-02-27T10:00:00.000Z')").run();
    db.close();
    const store = openSqliteStore(file, { now });
    try {
      assert.equal(store.schemaVersion, 3);
      assert.deepEqual(store.getMark('ldaps://dc|ou=staff'), { invocationId: 'inv-1', usn: 18446744073709551615n, at: new Date('2025-02-28T10:00:00.000Z') });
      assert.equal(store.lastFullRunAt('ldaps://dc|ou=staff'), undefined);
    } finally {
      store.close();
    }
  });

  it('rolls back a failing migration as a whole', () => {
    const db = new Database(join(dir, 'm.db'));
    try {
      migrate(db, now);
      const bad = { version: LATEST_VERSION + 1, description: 'broken', sql: 'CREATE TABLE extra (x); THIS IS NOT SQL' };
      assert.throws(() => migrate(db, now, [...MIGRATIONS, bad]));
      assert.equal(currentVersion(db), LATEST_VERSION);
      assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'extra'").get(), undefined);
    } finally {
      db.close();
    }
  });

  it('refuses a state file from a newer build', () => {
    const file = join(dir, 'state.db');
    openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_version (version, applied_at, description) VALUES (99, 'x', 'future')").run();
    db.close();
    assert.throws(() => openSqliteStore(file), (err: unknown) => {
      assert.ok(err instanceof StateSchemaTooNewError);
      assert.equal(err.foundVersion, 99);
      assert.equal(err.knownVersion, LATEST_VERSION);
      return true;
    });
  });

  it('refuses, without touching it, an SQLite file that belongs to something else', () => {
    const file = join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE invoices (id INTEGER)');
    db.close();
    const bytes = readFileSync(file);
    assert.throws(() => openSqliteStore(file), StateOpenError);
    assert.deepEqual(readFileSync(file), bytes);
  });

  it('wraps a file that is not a database in StateOpenError with the cause', () => {
    const file = join(dir, 'state.db');
    writeFileSync(file, 'this is not a database, it is a text file that is long enough to have a header');
    assert.throws(() => openSqliteStore(file), (err: unknown) => {
      assert.ok(err instanceof StateOpenError);
      assert.equal(err.path, file);
      assert.ok(err.cause instanceof Error);
      return true;
    });
  });

  it("':memory:' works and needs no file", () => {
    const store = openSqliteStore(':memory:');
    try {
      assert.equal(store.journalMode, 'memory');
      store.upsertUser({ objectGuid: G1 });
      assert.ok(store.getUser(G1));
    } finally {
      store.close();
    }
  });
});

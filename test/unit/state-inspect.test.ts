import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { inspectStateFile } from '../../src/state/inspect.js';
import { LATEST_VERSION } from '../../src/state/sqlite-schema.js';
import { openSqliteStore } from '../../src/state/sqlite-store.js';

describe('state file inspection (doctor, read-only)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hps-inspect-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports an absent file without creating it', async () => {
    const file = path.join(dir, 'none.db');
    assert.deepEqual(inspectStateFile(file), { kind: 'absent', latest: LATEST_VERSION });
    assert.deepEqual(inspectStateFile(file).kind, 'absent', 'still absent');
  });

  it('reads our schema version, and a version newer than this build', () => {
    const file = path.join(dir, 'state.db');
    openSqliteStore(file).close();
    assert.deepEqual(inspectStateFile(file), { kind: 'ours', version: LATEST_VERSION, latest: LATEST_VERSION });
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)').run(LATEST_VERSION + 5, 'now', 'future');
    db.close();
    assert.deepEqual(inspectStateFile(file), { kind: 'ours', version: LATEST_VERSION + 5, latest: LATEST_VERSION });
  });

  it('tells another application\'s database and a file that is not SQLite', async () => {
    const foreign = path.join(dir, 'foreign.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE invoices (id INTEGER)');
    db.close();
    assert.deepEqual(inspectStateFile(foreign), { kind: 'foreign' });
    const junk = path.join(dir, 'junk.db');
    await writeFile(junk, 'this is not a database at all, just text that is long enough');
    assert.equal(inspectStateFile(junk).kind, 'unreadable');
  });
});

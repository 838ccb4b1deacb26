import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withJobWorkspace } from '../../src/powershell/jobs.js';

describe('powershell/jobs', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hps-jobs-test-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes private job and photo files under generated names and removes them afterwards', async () => {
    let seen: { dir: string; job: string; photo: string } | undefined;
    await withJobWorkspace(async (ws) => {
      const photo = await ws.writeFile(Buffer.from([1, 2, 3]), '.jpg');
      const job = await ws.writeJob({ items: [{ identity: "o'brien ‘x’", photoPath: photo }] });
      seen = { dir: ws.dir, job, photo };
      if (process.platform !== 'win32') {
        assert.equal((await stat(ws.dir)).mode & 0o777, 0o700);
        assert.equal((await stat(job)).mode & 0o777, 0o600);
        assert.equal((await stat(photo)).mode & 0o777, 0o600);
      }
      assert.match(path.basename(photo), /^f\d{5}\.jpg$/);
      assert.deepEqual(JSON.parse(await readFile(job, 'utf8')), { items: [{ identity: "o'brien ‘x’", photoPath: photo }] });
    }, root);
    assert.ok(seen);
    assert.equal(existsSync(seen.dir), false);
    assert.deepEqual(await readdir(root), []);
  });

  it('removes the workspace when the work fails', async () => {
    await assert.rejects(
      withJobWorkspace(async (ws) => {
        await ws.writeJob({ a: 1 });
        throw new Error('boom');
      }, root),
      /boom/,
    );
    assert.deepEqual(await readdir(root), []);
  });
});

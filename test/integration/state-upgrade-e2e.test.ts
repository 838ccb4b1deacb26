/**
 * Upgrading from the hash-only comparator (issue 12): a state file made by the previous version (checked in, made by
 * its own `hps reconcile`: test/fixtures/state-hash-only/README.md) is picked up by this version against the same
 * tenant (Samba AD + the Graph emulator). The next no-change run writes nothing, except the user whose cloud copy is
 * a 96 px copy of a 648 px source: the old version called it in sync; this one reports resolution drift and fixes it.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { OU, upgradeWorldUsers } from '../fixtures/state-hash-only/world.js';
import { runHps, type CliRun } from '../support/cli.js';
import { buildHybridWorld, type HybridWorld, type WorldUser } from '../support/hybrid-world.js';
import { parseJson, type RunJson } from '../support/json.js';
import { installOldState } from '../support/old-state.js';
import { sambaOrSkip } from '../support/world.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/state-hash-only');

describe('state upgrade from the hash-only comparator: no writes but the undersized user (e2e)', function () {
  this.timeout(240_000);
  let dc: SambaDc;
  let world: HybridWorld;
  let users: WorldUser[];
  const reconcile = (...args: string[]): Promise<CliRun> => runHps(['reconcile', '--output', 'json', '--config', world.configPath, ...args], { env: world.env });
  const others = (): string[] => users.map((u) => u.sam).filter((sam) => sam !== 'uUndersized');
  /** Photo requests in the emulator's log since it was last cleared: writes, and downloads at any served size. */
  const photoRequests = (kind: 'write' | 'download') =>
    world.emu.control.requestLog().filter((e) => /\/photos?\/(\d+x\d+\/)?\$value$/.test(e.path) && (kind === 'write') === (e.method !== 'GET'));

  before(async function () {
    dc = await sambaOrSkip(this);
    users = await upgradeWorldUsers('afterOldRun');
    world = await buildHybridWorld(dc, OU, users);
    await installOldState(FIXTURE, world, users);
  });
  after(async () => {
    await world?.close();
  });

  it('the installed state is the old version\'s: bare 64-hex prints, the undersized user adopted as in sync', () => {
    const db = new Database(join(world.dir, 'state.db'), { readonly: true });
    try {
      const rows = db.prepare('select upn, source_phash, cloud_phash, cloud_etag_after_push, pushed_sha256 from users where cloud_phash is not null').all() as Record<string, string | null>[];
      assert.equal(rows.length, 6);
      for (const r of rows) for (const col of ['source_phash', 'cloud_phash']) assert.match(r[col] ?? '', /^[0-9a-f]{64}$/, `${r['upn']} ${col}`);
      const undersized = rows.find((r) => r['upn'] === world.upn('uUndersized'));
      assert.ok(undersized?.['cloud_etag_after_push'] && !undersized['pushed_sha256'], 'adopted (in sync), never pushed');
    } finally {
      db.close();
    }
  });

  it('the first run after the upgrade reports and fixes the undersized user, writes no one else and downloads nothing', async () => {
    world.emu.control.clearLog();
    const r = await reconcile();
    assert.equal(r.code, 0, r.stderr);
    const s = parseJson<RunJson>(r);
    const sets = s.actions.filter((a) => a.action === 'set');
    assert.deepEqual(sets.map((a) => [a.upn, a.status, a.result]), [[world.upn('uUndersized'), 'drifted', 'ok']], JSON.stringify(s.actions));
    assert.match(sets[0]?.reason ?? '', /same picture as thumbnailPhoto, but the cloud holds 96×96, the source gives 648×648/);
    assert.equal(s.summary.set, 1);
    // The old version's last run was an hour ago on this very DC, nothing changed since: an incremental run would read
    // no one. The upgrade (state migration 3) makes this one read fully, so the undersized user is found now.
    assert.deepEqual([s.mode, s.summary.users], ['full', users.length], 'the first run after the upgrade reads every user');
    assert.deepEqual(s.attention, [], 'no one else is reported (no cloud-changed conflict, no error)');
    assert.equal(world.writesOf('uUndersized'), 1, 'one Graph write to the undersized user');
    for (const sam of others()) assert.equal(world.writesOf(sam), 0, `${sam} not written`);
    assert.equal(photoRequests('write').length, 1, 'one photo write in the request log');
    assert.deepEqual(photoRequests('download'), [], 'the old prints are used as they are: no cloud photo is downloaded');
  });

  it('migrated lazily: source prints re-made whole from the photos read anyway, old cloud prints kept until a download', () => {
    const db = new Database(join(world.dir, 'state.db'), { readonly: true });
    try {
      const rows = db.prepare('select upn, source_phash, cloud_phash from users where cloud_phash is not null').all() as Record<string, string>[];
      for (const r of rows) {
        assert.match(r['source_phash'] ?? '', /^v2;[0-9a-f]{64};\d+x\d+;/, `${r['upn']} source print`);
        if (r['upn'] === world.upn('uUndersized')) assert.match(r['cloud_phash'] ?? '', /^v2;/, 'the pushed photo\'s print');
        else assert.match(r['cloud_phash'] ?? '', /^[0-9a-f]{64}$/, `${r['upn']}: the old cloud print, still in use`);
      }
    } finally {
      db.close();
    }
  });

  it('the runs after it change nothing: incremental as before the upgrade, and a full one finds everyone in sync', async () => {
    world.emu.control.clearLog();
    const next = parseJson<RunJson>(await reconcile());
    assert.deepEqual([next.mode, next.summary.set], ['incremental', 0]);
    const r = await reconcile('--full');
    assert.equal(r.code, 0, r.stderr);
    const s = parseJson<RunJson>(r);
    assert.deepEqual([s.summary.users, s.summary.set, s.attention.length], [users.length, 0, 0], JSON.stringify(s.actions));
    assert.deepEqual(photoRequests('write'), []);
    assert.equal(world.writesOf('uUndersized'), 1);
    const stored = world.emu.control.getStoredPhoto(world.upn('uUndersized'));
    assert.equal(stored ? (await sharp(stored).metadata()).width : undefined, 648, 'the cloud now holds the full-size photo');
  });
});

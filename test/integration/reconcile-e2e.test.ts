/**
 * `hps reconcile` and `hps fix` end to end against Samba AD and the Graph emulator: convergence, idempotent
 * reruns, incremental reads, the cloud-changed policy, delete safety, throttling storms, locks, the tenant policy.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { createPhotoGenerator } from '../../mocks/fixtures/photos/generate.js';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { modifyUserPhoto } from '../../mocks/samba-ad/seed.js';
import { acquireRunLock } from '../../src/state/lock.js';
import { runHps, type CliRun } from '../support/cli.js';
import { buildHybridWorld, type HybridWorld, type WorldUser } from '../support/hybrid-world.js';
import { sambaOrSkip } from '../support/world.js';
import { parseJson, type RunJson } from '../support/json.js';

const gen = createPhotoGenerator();
const thumb = async (i: number): Promise<Buffer> => sharp(await gen.photo(i, { size: 320 })).resize(200, 200).jpeg({ quality: 85 }).toBuffer();
const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

describe('hps reconcile / fix against Samba AD and the Graph emulator (e2e)', function () {
  this.timeout(180_000);
  let dc: SambaDc;

  before(async function () {
    dc = await sambaOrSkip(this);
  });

  describe('a tenant of 40 users', () => {
    let world: HybridWorld;
    const reconcile = (...args: string[]): Promise<CliRun> => runHps(['reconcile', '--output', 'json', '--config', world.configPath, ...args], { env: world.env });

    before(async () => {
      const users: WorldUser[] = [];
      for (let i = 0; i < 40; i++) {
        const sam = `rec${String(i).padStart(2, '0')}`;
        if (i < 10) users.push({ sam, thumbnailPhoto: await thumb(i), cloud: {} }); // missing in cloud
        else if (i < 16) users.push({ sam, thumbnailPhoto: await thumb(i), cloud: { photo: await gen.photo(300 + i, { size: 700 }) } }); // drifted
        else if (i < 18) users.push({ sam, cloud: { photo: await gen.photo(i, { size: 700 }) } }); // cloud only: not ours
        else if (i < 19) users.push({ sam, thumbnailPhoto: await thumb(i) }); // unmatched
        else users.push({ sam, thumbnailPhoto: await thumb(i), cloud: { photo: await gen.photo(i, { size: 700 }) } }); // in sync
      }
      world = await buildHybridWorld(dc, 'T-reconcile-e2e/Staff', users);
    });
    after(async () => {
      await world?.close();
    });

    it('a dry run prints the plan and writes nothing', async () => {
      const r = await reconcile('--dry-run');
      assert.equal(r.code, 0, r.stderr);
      const s = parseJson<RunJson>(r);
      assert.equal(s.summary.set, 16);
      assert.ok(s.actions.every((a) => a.result === 'planned'));
      assert.equal(sum(world.emu.control.writeCounts()), 0);
    });

    it('converges: afterwards the report shows every matched user with a source photo in-sync', async () => {
      const r = await reconcile();
      assert.equal(r.code, 0, r.stderr);
      const s = parseJson<RunJson>(r);
      assert.equal(s.mode, 'full');
      assert.deepEqual([s.summary.written, s.summary.failed], [16, 0]);
      const counts = world.emu.control.writeCounts();
      assert.equal(Object.keys(counts).length, 16);
      assert.ok(Object.values(counts).every((n) => n === 1), 'each user written once');
      const rep = await runHps(['report', '--format', 'json', '--config', world.configPath], { env: world.env });
      const users = (JSON.parse(rep.stdout) as { users: Array<{ upn: string; status: string }> }).users;
      const notInSync = users.filter((u) => !['rec16', 'rec17', 'rec18'].includes((u.upn ?? '').split('@')[0] as string) && u.status !== 'in-sync');
      assert.deepEqual(notInSync, []);
      const audit = (await readFile(`${world.dir}/audit.jsonl`, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; result: string; objectGuid: string });
      assert.equal(audit.filter((a) => a.action === 'set' && a.result === 'ok').length, 16);
    });

    it('a rerun writes nothing and downloads no photo whose etag did not move', async () => {
      const before = sum(world.emu.control.writeCounts());
      world.emu.control.clearLog();
      const r = await reconcile();
      assert.equal(r.code, 0, r.stderr);
      const s = parseJson<RunJson>(r);
      assert.equal(s.mode, 'incremental');
      // Nothing changed in AD, so nobody is read but rec18: unmatched with a photo, it waits for its cloud account.
      assert.equal(s.summary.users, 1);
      assert.equal(sum(world.emu.control.writeCounts()), before);
      const full = await reconcile('--full');
      assert.equal(parseJson<RunJson>(full).summary.users, 40);
      assert.equal(sum(world.emu.control.writeCounts()), before, 'a full rerun writes nothing either');
      const downloads = world.emu.control.requestLog().filter((e) => e.method === 'GET' && /\/photo\/\$value$/.test(e.path));
      assert.deepEqual(downloads, [], 'cloud photos already fingerprinted are not downloaded again');
    });

    it('after 3 photos change in AD, the incremental run reads and writes exactly those 3', async () => {
      for (const i of [20, 21, 22]) {
        await modifyUserPhoto(dc, world.seeded.get(`rec${i}`)?.dn as string, 'thumbnailPhoto', await thumb(900 + i));
      }
      const before = world.emu.control.writeCounts();
      const r = await reconcile();
      assert.equal(r.code, 0, r.stderr);
      const s = parseJson<RunJson>(r);
      assert.equal(s.mode, 'incremental');
      assert.equal(s.summary.users, 4, 'the 3 changed users and rec18, still waiting for a cloud account');
      assert.deepEqual(s.actions.map((a) => (a.upn ?? '').split('@')[0]).sort(), ['rec20', 'rec21', 'rec22']);
      const after = world.emu.control.writeCounts();
      const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
      assert.equal(changed.length, 3);
    });

    it('a photo changed in the cloud by someone else is reported, kept or overwritten per policy', async () => {
      const upn = world.upn('rec03');
      await world.emu.control.setCloudPhoto(upn, await gen.photo(777, { size: 600 }));
      const cfg = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, unknown>;
      const withPolicy = async (policy: string): Promise<RunJson> => {
        await writeFile(world.configPath, JSON.stringify({ ...cfg, reconcile: { cloudChangedPolicy: policy } }));
        return parseJson<RunJson>(await runHps(['fix', 'rec03', '--output', 'json', '--config', world.configPath], { env: world.env }));
      };
      const report = await withPolicy('report');
      assert.equal(report.summary.set, 0);
      assert.equal(report.summary.cloudChanged, 1);
      assert.deepEqual(report.attention.map((a) => [a.upn, a.kind]), [[upn, 'cloud-changed']], 'policy report lists it for a person');
      assert.deepEqual(report.actions.map((a) => [a.action, a.result]), [['skip', 'skipped']], 'fix shows its one user even when skipped');
      assert.match(report.actions[0]?.reason ?? '', /cloud photo changed since our push.*policy report/);
      const keep = await withPolicy('keep');
      assert.equal(keep.summary.set, 0);
      assert.deepEqual(keep.attention, [], 'policy keep is a decision, nothing to look at');
      const writes = world.emu.control.writeCounts();
      const overwrite = await withPolicy('overwrite');
      await writeFile(world.configPath, JSON.stringify(cfg));
      assert.equal(overwrite.summary.written, 1);
      assert.equal(overwrite.verification?.verified, true, overwrite.verification?.detail);
      assert.equal(sum(world.emu.control.writeCounts()), sum(writes) + 1);
    });

    it('fix finds a user by UPN, mail, sAMAccountName (also DOMAIN\\name) and objectGUID; a bogus one fails clearly', async () => {
      const seeded = world.seeded.get('rec30');
      for (const id of [world.upn('rec30'), 'REC30', 'CORP\\rec30', seeded?.objectGuid as string, seeded?.immutableId as string]) {
        const r = await runHps(['fix', id, '--output', 'json', '--config', world.configPath], { env: world.env });
        assert.equal(r.code, 0, `${id}: ${r.stderr}`);
        assert.equal(parseJson<RunJson>(r).summary.users, 1, id);
      }
      const bogus = await runHps(['fix', 'no-such-user*)(', '--config', world.configPath], { env: world.env });
      assert.equal(bogus.code, 2);
      assert.match(bogus.stderr, /no on-prem user "no-such-user\*\)\(" in scope/);
    });

    it('deletes only when allowed, and refuses above the delete threshold', async () => {
      for (const i of [23, 24, 25]) await modifyUserPhoto(dc, world.seeded.get(`rec${i}`)?.dn as string, 'thumbnailPhoto', null);
      const off = parseJson<RunJson>(await reconcile());
      assert.equal(off.summary.delete, 0);
      assert.ok(off.actions.length === 0);
      const cfg = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, unknown>;
      await writeFile(world.configPath, JSON.stringify({ ...cfg, reconcile: { deleteThreshold: 2 } }));
      const refused = await reconcile('--allow-delete', '--full');
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(parseJson<RunJson>(refused).refused ?? '', /3 deletes exceed the delete threshold of 2/);
      assert.equal(world.emu.control.getStoredPhoto(world.upn('rec23')) !== null, true);
      const forced = await reconcile('--allow-delete', '--full', '--force');
      await writeFile(world.configPath, JSON.stringify(cfg));
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(parseJson<RunJson>(forced).summary.delete, 3);
      assert.equal(world.emu.control.getStoredPhoto(world.upn('rec23')), null);
      assert.equal(world.emu.control.getStoredPhoto(world.upn('rec16')) !== null, true, 'cloud-only photos are never deleted');
    });

    it('a second run on the same state waits for nothing: it exits 5 naming the holder', async () => {
      const lock = await acquireRunLock(`${world.dir}/state.db`, { owner: { runId: 'other-run', command: 'reconcile' } });
      try {
        const r = await reconcile();
        assert.equal(r.code, 5);
        assert.match(r.stderr, /other-run|pid/);
      } finally {
        await lock.release();
      }
    });
    it('--reload pushes every matched source photo again (a mass overwrite, so it needs --force)', async () => {
      const before = world.emu.control.writeCounts();
      const refused = await reconcile('--reload');
      assert.equal(refused.code, 3, refused.stderr);
      assert.deepEqual(world.emu.control.writeCounts(), before);
      const r = await reconcile('--reload', '--force');
      assert.equal(r.code, 0, r.stderr);
      const s = parseJson<RunJson>(r);
      assert.equal(s.mode, 'full');
      // 40 users, less 2 cloud-only, 1 unmatched and 3 whose AD photo was cleared.
      assert.equal(s.summary.written, 34);
      const after = world.emu.control.writeCounts();
      assert.equal(Object.keys(after).filter((k) => after[k] === (before[k] ?? 0) + 1).length, 34);
    });

    it('an unmatched user with a photo is written by the next incremental run once its cloud account appears', async () => {
      const seeded = world.seeded.get('rec18');
      const id = world.emu.control.addUser({ userPrincipalName: world.upn('rec18'), onPremisesImmutableId: seeded?.immutableId as string });
      const r = await reconcile();
      assert.equal(r.code, 0, r.stderr);
      const s = parseJson<RunJson>(r);
      assert.equal(s.mode, 'incremental');
      assert.deepEqual(s.actions.map((a) => [(a.upn ?? '').split('@')[0], a.action, a.result]), [['rec18', 'set', 'ok']]);
      assert.equal(world.emu.control.writeCounts()[id], 1);
      assert.equal(parseJson<RunJson>(await reconcile()).summary.users, 0, 'and it waits no more');
    });
  });

  describe('a 429/503 storm', () => {
    it('ends with every user synced or reported, and no user written twice for the same source', async () => {
      const users: WorldUser[] = [];
      for (let i = 0; i < 30; i++) users.push({ sam: `storm${String(i).padStart(2, '0')}`, thumbnailPhoto: await thumb(100 + i), cloud: i % 2 ? { photo: await gen.photo(600 + i, { size: 500 }) } : {} });
      const world = await buildHybridWorld(dc, 'T-reconcile-e2e/Storm', users, {
        faults: { maxInFlightPerApp: 2, retryAfterSeconds: 0.05, errorRate: 0.15, seed: 7 },
        config: {},
      });
      try {
        const cfg = JSON.parse(await readFile(world.configPath, 'utf8')) as { cloud: Record<string, unknown> };
        await writeFile(world.configPath, JSON.stringify({ ...cfg, cloud: { ...cfg.cloud, maxTries: 8 } }));
        const r = await runHps(['reconcile', '--output', 'json', '--config', world.configPath], { env: world.env });
        const s = parseJson<RunJson>(r);
        const log = world.emu.control.requestLog();
        assert.ok(log.some((e) => e.status === 429), 'the emulator throttled');
        assert.ok(log.some((e) => e.status === 503 || e.status === 504), 'the emulator failed some requests');
        assert.equal(s.summary.written + s.summary.failed + s.summary.errors, 30, 'every user is synced or reported');
        const counts = world.emu.control.writeCounts();
        assert.ok(Object.values(counts).every((n) => n === 1), `no user written twice: ${JSON.stringify(counts)}`);
        if (s.summary.failed + s.summary.errors > 0) {
          world.emu.control.setFaults({});
          const again = parseJson<RunJson>(await runHps(['reconcile', '--output', 'json', '--config', world.configPath], { env: world.env }));
          assert.equal(again.summary.failed, 0);
        }
        assert.ok(Object.values(world.emu.control.writeCounts()).every((n) => n === 1));
      } finally {
        await world.close();
      }
    });
  });

  describe('the tenant photo policy', () => {
    it('with source onPremises, says so once, marks users blocked and exits 3', async () => {
      const users: WorldUser[] = [];
      for (let i = 0; i < 5; i++) users.push({ sam: `pol${i}`, thumbnailPhoto: await thumb(200 + i), cloud: {} });
      const world = await buildHybridWorld(dc, 'T-reconcile-e2e/Policy', users);
      try {
        world.emu.control.setPhotoUpdateSettings('onPremises');
        const r = await runHps(['reconcile', '--output', 'json', '--config', world.configPath], { env: world.env });
        assert.equal(r.code, 3, r.stderr);
        const s = parseJson<RunJson>(r);
        assert.equal(s.summary.blocked, 5);
        assert.ok(s.actions.every((a) => a.result === 'blocked' && /onPremises/i.test(a.reason)));
        assert.equal(r.stderr.split('\n').filter((l) => /onPremises/.test(l)).length, 1, `explained once:\n${r.stderr}`);
        assert.equal(sum(world.emu.control.writeCounts()), 0);
        // While the policy still blocks, an incremental run does not read the blocked users again.
        const still = parseJson<RunJson>(await runHps(['reconcile', '--output', 'json', '--config', world.configPath], { env: world.env }));
        assert.deepEqual([still.mode, still.summary.users], ['incremental', 0]);
        // Nothing changes on-prem; once the tenant allows cloud writes, the next run still picks the users up.
        world.emu.control.setPhotoUpdateSettings('cloud');
        const again = await runHps(['reconcile', '--output', 'json', '--config', world.configPath], { env: world.env });
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual([parseJson<RunJson>(again).mode, parseJson<RunJson>(again).summary.written], ['incremental', 5]);
      } finally {
        await world.close();
      }
    });
  });
});

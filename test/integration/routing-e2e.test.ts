/**
 * Routing end to end: Samba users whose mailboxes live in different places go down different paths —
 * msExchRecipientTypeDetails=1 (on-prem Exchange) through the PowerShell bridge (real PowerShell + the Exchange
 * stub module), RemoteUserMailbox and no mailbox through Graph (the emulator).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { createPhotoGenerator } from '../../mocks/fixtures/photos/generate.js';
import { runSync } from '../../src/usecases/sync.js';
import { openCloud, openDirectory } from '../../src/usecases/wiring.js';
import { parseConfig } from '../../src/config/load.js';
import { createExchangeWriter } from '../../src/powershell/exchange-writer.js';
import { createPowerShellRunner, type PowerShellRunner } from '../../src/powershell/runner.js';
import { openMemoryStore } from '../../src/state/index.js';
import { buildHybridWorld, type HybridWorld, type WorldUser } from '../support/hybrid-world.js';
import { locatePwsh, makeStore, STUB_MODULE } from '../support/pwsh.js';
import { skipLoudly } from '../support/skip.js';
import { sambaOrSkip } from '../support/world.js';

const ONPREM_URI = 'http://exch01.corp.stub.invalid/PowerShell/';

describe('routing per mailbox location (Samba + emulator + PowerShell bridge)', function () {
  this.timeout(180_000);
  let world: HybridWorld;
  let runner: PowerShellRunner;
  let root: string;

  before(async function () {
    const dc = await sambaOrSkip(this);
    const pwsh = await locatePwsh();
    if (typeof pwsh === 'string') skipLoudly(this, 'pwsh', pwsh);
    runner = createPowerShellRunner({ executable: pwsh.executable, defaultTimeoutMs: 60_000 });
    root = await mkdtemp(path.join(tmpdir(), 'hps-routing-'));
    const gen = createPhotoGenerator();
    const users: WorldUser[] = [];
    const kinds: Array<'onprem' | 'cloud' | undefined> = ['onprem', 'cloud', undefined];
    for (let i = 0; i < 9; i++) {
      users.push({
        sam: `route${i}`,
        thumbnailPhoto: await sharp(await gen.photo(40 + i, { size: 300 })).resize(160, 160).jpeg({ quality: 85 }).toBuffer(),
        mailbox: kinds[i % 3],
        cloud: {},
      });
    }
    world = await buildHybridWorld(dc, 'T-routing-e2e/Staff', users);
  });

  after(async () => {
    await runner?.dispose();
    await world?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('sends on-prem mailboxes to Set-UserPhoto and everyone else to Graph, and says why', async () => {
    const onPremUpns = [0, 3, 6].map((i) => world.upn(`route${i}`));
    const store = await makeStore(root, onPremUpns);
    const raw = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, unknown>;
    const cfg = parseConfig({ ...raw, exchange: { mode: 'onprem', connectionUri: ONPREM_URI } }, 'test config', world.dir);
    const log = pino({ level: 'silent' });
    const directory = await openDirectory(cfg, world.env, log);
    const cloud = await openCloud(cfg, world.env, log);
    const state = openMemoryStore();
    try {
      const result = await runSync(
        {
          cfg, directory, directoryKey: 'routing', cloud, state, runId: 'routing-run', log,
          exchangeWriter: async () => createExchangeWriter({ runner, mode: 'onprem', connectionUri: ONPREM_URI, stubModulePath: STUB_MODULE, stubStorePath: store.dir }),
        },
        { dryRun: false, full: true, reload: false, allowDelete: false, force: false },
      );
      const routes = new Map(result.plan.decisions.map((d) => [d.user.upn, d]));
      for (let i = 0; i < 9; i++) {
        const d = routes.get(world.upn(`route${i}`));
        assert.equal(d?.route, i % 3 === 0 ? 'exchange-onprem' : 'graph', `route${i}: ${d?.user.routeWhy}`);
      }
      assert.match(routes.get(world.upn('route0'))?.user.routeWhy ?? '', /msExchRecipientTypeDetails=1/);
      assert.match(routes.get(world.upn('route1'))?.user.routeWhy ?? '', /RemoteUserMailbox/);
      assert.match(routes.get(world.upn('route2'))?.user.routeWhy ?? '', /no on-prem mailbox/);
      assert.equal(result.applied?.failed, 0, JSON.stringify(result.applied?.applied.filter((a) => !a.result.ok).map((a) => a.result)));
      assert.equal(result.applied?.ok, 9);

      // Exchange got exactly the on-prem mailboxes, over one session; Graph got exactly the others.
      assert.deepEqual((await store.received('Set-UserPhoto')).sort(), [...onPremUpns].sort());
      assert.equal((await store.connections()).filter(([verb]) => verb === 'New-PSSession').length, 1);
      const graphWritten = Object.keys(world.emu.control.writeCounts()).length;
      assert.equal(graphWritten, 6);
      for (const upn of onPremUpns) assert.equal(world.emu.control.getStoredPhoto(upn), null, `${upn} not written through Graph`);

      // A rerun pushes nothing again: Graph cannot see on-prem mailbox photos, the state knows they were set.
      const rerun = await runSync(
        {
          cfg, directory, directoryKey: 'routing', cloud, state, runId: 'routing-rerun', log,
          exchangeWriter: async () => createExchangeWriter({ runner, mode: 'onprem', connectionUri: ONPREM_URI, stubModulePath: STUB_MODULE, stubStorePath: store.dir }),
        },
        { dryRun: false, full: true, reload: false, allowDelete: false, force: false },
      );
      assert.equal(rerun.plan.summary.set, 0, JSON.stringify(rerun.plan.decisions.filter((d) => d.action !== 'skip').map((d) => d.reason)));
      assert.equal((await store.received('Set-UserPhoto')).length, 3);
    } finally {
      await directory.close();
      await cloud.close();
    }
  });
});

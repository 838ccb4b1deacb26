/**
 * `hps doctor` on the demo's setup: an LDIF export and the Graph emulator with the bundled tenant (no DC needed).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../mocks/graph-emulator/index.js';
import { runHps } from '../support/cli.js';

const DEMO = path.resolve('mocks/demo');

describe('hps doctor with an LDIF export (demo tenant)', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let dir: string;
  let secret: string;
  let base: Record<string, unknown>;

  before(async () => {
    emu = await startEmulator({ state: path.join(DEMO, 'tenant.json'), port: 0 });
    const tenant = JSON.parse(await readFile(path.join(DEMO, 'tenant.json'), 'utf8')) as { clients: Array<{ clientId: string; secret: string }> };
    secret = tenant.clients[0]!.secret;
    dir = await mkdtemp(path.join(tmpdir(), 'hps-doctor-ldif-'));
    base = {
      directory: { type: 'ldif', file: path.join(DEMO, 'directory.ldif') },
      cloud: { tenantId: emu.tenantId, clientId: tenant.clients[0]!.clientId, authorityHost: emu.baseUrl, graphBaseUrl: emu.baseUrl, caFile: emu.caCertPath },
      state: { path: path.join(dir, 'state', 'state.db') },
    };
  });

  after(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function doctor(cfg: Record<string, unknown>, env: Record<string, string> = { HPS_CLIENT_SECRET: secret }): Promise<{ code: number; checks: Map<string, { result: string; detail: string; advice: string }> }> {
    const file = path.join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(cfg));
    const r = await runHps(['doctor', '--output', 'json', '--config', file], { env });
    const json = JSON.parse(r.stdout) as { checks: Array<{ id: string; result: string; detail: string; advice: string }> };
    return { code: r.code, checks: new Map(json.checks.map((c) => [c.id, c])) };
  }

  it('reads the export, counts photos, skips what an export has not got, and signs in', async () => {
    const { checks } = await doctor(base);
    assert.equal(checks.get('directory-reachable')?.result, 'ok');
    for (const id of ['directory-tls', 'directory-bind', 'directory-base-dn', 'directory-page-size']) assert.equal(checks.get(id)?.result, 'skip', id);
    assert.match(checks.get('directory-photos')?.detail ?? '', /of the first 12 users have a photo/);
    assert.equal(checks.get('cloud-sign-in')?.result, 'ok');
    assert.match(checks.get('cloud-graph')?.detail ?? '', /photo read: \d+×\d+/);
  });

  it('a missing export and a missing client secret are configuration failures (exit 2) that name the fix', async () => {
    const { code, checks } = await doctor({ ...base, directory: { type: 'ldif', file: path.join(dir, 'gone.ldif') } }, {});
    assert.equal(code, 2);
    assert.equal(checks.get('directory-reachable')?.result, 'fail');
    const signIn = checks.get('cloud-sign-in');
    assert.equal(signIn?.result, 'fail');
    assert.match(signIn?.detail ?? '', /HPS_CLIENT_SECRET/);
    assert.equal(checks.get('cloud-graph')?.result, 'skip');
  });

  it('an unreachable sign-in endpoint is a connection failure (exit 4)', async () => {
    const { code, checks } = await doctor({ ...base, cloud: { ...(base.cloud as object), authorityHost: 'https://127.0.0.1:9' } });
    assert.equal(checks.get('cloud-sign-in')?.result, 'fail');
    assert.match(`${checks.get('cloud-sign-in')?.detail} ${checks.get('cloud-sign-in')?.advice}`, /ECONNREFUSED|127\.0\.0\.1:9/);
    assert.equal(code, 4);
  });
});

/**
 * `hps doctor` on the demo's setup: an LDIF export and the Graph emulator with the bundled tenant (no DC needed).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClientCertificate, startEmulator, type RunningEmulator } from '../../mocks/graph-emulator/index.js';
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

  it('signs in with a certificate, and a certificate the app does not know fails sign-in (exit 4)', async () => {
    const known = await createClientCertificate('hps-doctor');
    const state = JSON.parse(await readFile(path.join(DEMO, 'tenant.json'), 'utf8')) as { clients: unknown[]; users: Array<{ photo?: string | null }> };
    state.clients = [{ clientId: '11111111-2222-4333-8444-555555555555', certificatePem: known.certificatePem, roles: ['User.Read.All'] }];
    for (const u of state.users) if (u.photo) u.photo = path.join(DEMO, u.photo);
    const stateFile = path.join(dir, 'cert-tenant.json');
    await writeFile(stateFile, JSON.stringify(state));
    const certEmu = await startEmulator({ state: stateFile, port: 0 });
    try {
      const write = async (name: string, text: string): Promise<string> => {
        const f = path.join(dir, name);
        await writeFile(f, text);
        return f;
      };
      const certificate = { privateKeyFile: await write('app.key', known.privateKeyPem), certificateFile: await write('app.crt', known.certificatePem) };
      const cloud = { tenantId: certEmu.tenantId, clientId: '11111111-2222-4333-8444-555555555555', authorityHost: certEmu.baseUrl, graphBaseUrl: certEmu.baseUrl, caFile: certEmu.caCertPath, certificate };
      const good = await doctor({ ...base, cloud }, {});
      assert.equal(good.checks.get('cloud-sign-in')?.result, 'ok');
      assert.match(good.checks.get('cloud-sign-in')?.detail ?? '', /with a certificate \(.*app\.crt\)/);
      assert.equal(good.checks.get('cloud-roles')?.result, 'warn', 'User.Read.All alone: read-only');
      const stranger = await createClientCertificate('stranger');
      const other = { privateKeyFile: await write('other.key', stranger.privateKeyPem), certificateFile: await write('other.crt', stranger.certificatePem) };
      const bad = await doctor({ ...base, cloud: { ...cloud, certificate: other } }, {});
      assert.equal(bad.checks.get('cloud-sign-in')?.result, 'fail');
      assert.equal(bad.code, 4);
      assert.ok(![...bad.checks.values()].some((c) => c.detail.includes('PRIVATE KEY')), 'no key material printed');
    } finally {
      await certEmu.stop();
    }
  });

  it('an unreachable sign-in endpoint is a connection failure (exit 4)', async () => {
    const { code, checks } = await doctor({ ...base, cloud: { ...(base.cloud as object), authorityHost: 'https://127.0.0.1:9' } });
    assert.equal(checks.get('cloud-sign-in')?.result, 'fail');
    assert.match(`${checks.get('cloud-sign-in')?.detail} ${checks.get('cloud-sign-in')?.advice}`, /ECONNREFUSED|127\.0\.0\.1:9/);
    assert.equal(code, 4);
  });
});

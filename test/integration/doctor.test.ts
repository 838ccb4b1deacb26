/**
 * `hps doctor` against the real pieces: the shared Samba DC, a Graph emulator per tenant shape, real PowerShell
 * with the Exchange stub. Each seeded misconfiguration is found by the right check, with advice and exit code,
 * and no secret is ever printed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { createPhotoGenerator } from '../../mocks/fixtures/photos/generate.js';
import { runDoctorCommand } from '../../src/cli/commands/doctor.js';
import { createLogger, type CliIo } from '../../src/cli/io.js';
import { lockPathFor } from '../../src/state/lock.js';
import { openSqliteStore } from '../../src/state/sqlite-store.js';
import { runHps } from '../support/cli.js';
import { buildHybridWorld, CLIENT_SECRET, type HybridWorld } from '../support/hybrid-world.js';
import { locatePwsh, makeStore, STUB_MODULE } from '../support/pwsh.js';
import { skipLoudly } from '../support/skip.js';
import { sambaOrSkip } from '../support/world.js';

interface JsonCheck {
  id: string;
  result: string;
  detail: string;
  advice: string;
  doc: string;
}
interface JsonReport {
  exitCode: number;
  checks: JsonCheck[];
}

const OU = 'T-doctor/Staff';

/** A config as plain JSON, edited freely by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const ONPREM_URI = 'http://exch01.corp.stub.invalid/PowerShell/';

describe('hps doctor (Samba + emulator + PowerShell stub)', function () {
  this.timeout(180_000);
  let world: HybridWorld;
  let base: Record<string, unknown>;

  before(async function () {
    const dc = await sambaOrSkip(this);
    const gen = createPhotoGenerator();
    const photo = async (seed: number): Promise<Buffer> => sharp(await gen.photo(seed, { size: 300 })).resize(120, 120).jpeg({ quality: 85 }).toBuffer();
    world = await buildHybridWorld(
      dc,
      OU,
      [
        { sam: 'doc1', thumbnailPhoto: await photo(1), cloud: { photo: await photo(1) } },
        { sam: 'doc2', thumbnailPhoto: await photo(2), cloud: {} },
        { sam: 'doc3', cloud: {} },
      ],
      { roles: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'] },
    );
    base = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, unknown>;
  });

  after(async () => {
    await world?.close();
  });

  /** Writes a variant of the world's config and runs `hps doctor --output json` on it. */
  async function doctor(change: (c: Json) => void = () => undefined, env: Record<string, string> = world.env): Promise<{ code: number; report: JsonReport; stdout: string; stderr: string }> {
    const cfg = structuredClone(base) as Json;
    change(cfg);
    const file = path.join(world.dir, `doctor-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(cfg));
    const r = await runHps(['doctor', '--output', 'json', '--config', file], { env });
    return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stdout: r.stdout, stderr: r.stderr };
  }

  const check = (r: JsonReport, id: string): JsonCheck => {
    const c = r.checks.find((x) => x.id === id);
    assert.ok(c, `no check ${id}`);
    return c;
  };

  it('passes every check on a healthy setup (exit 0), in order, each linking its troubleshooting section', async () => {
    const { code, report } = await doctor();
    assert.deepEqual(
      report.checks.filter((c) => c.result !== 'ok' && c.result !== 'skip').map((c) => `${c.id}: ${c.detail}`),
      [],
    );
    assert.equal(code, 0);
    assert.deepEqual(report.checks.slice(0, 3).map((c) => c.id), ['config', 'directory-reachable', 'directory-tls']);
    assert.match(check(report, 'directory-photos').detail, /2 of the first 3 users have a photo \(thumbnailPhoto 2/);
    assert.match(check(report, 'directory-page-size').detail, /pageSize 50 accepted/);
    assert.match(check(report, 'directory-recipient-type').detail, /in the schema; set on 0 of the first 3 users; routes: graph 3/);
    assert.match(check(report, 'cloud-roles').detail, /reconcile\/fix yes/);
    assert.match(check(report, 'cloud-photo-policy').detail, /managed in the cloud/);
    assert.match(check(report, 'cloud-graph').detail, /doc1@.*photo read: \d+×\d+ jpeg/);
    assert.equal(check(report, 'exchange-pwsh').result, 'skip');
    assert.match(check(report, 'state-schema').detail, /no state file yet/);
    const doc = await readFile(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8');
    for (const c of report.checks) assert.ok(doc.includes(`<a id="doctor-${c.id}"></a>`), `docs/troubleshooting.md has no section for ${c.id}`);
  });

  it('prints a table with what to do, and never a secret', async () => {
    const file = path.join(world.dir, 'doctor-bad-secret.json');
    await writeFile(file, JSON.stringify(base));
    const wrong = 'S3cret-NOT-for-print';
    const r = await runHps(['doctor', '--config', file], { env: { ...world.env, HPS_CLIENT_SECRET: wrong } });
    assert.equal(r.code, 4);
    assert.match(r.stdout, /^CHECK +RESULT +FOUND \/ WHAT TO DO/);
    assert.match(r.stdout, /sign-in to Entra ID +FAIL/);
    assert.match(r.stdout, /→ .*docs\/troubleshooting\.md#doctor-cloud-sign-in/);
    for (const secret of [wrong, world.env.HPS_LDAP_PASSWORD, CLIENT_SECRET]) {
      assert.ok(!r.stdout.includes(secret as string) && !r.stderr.includes(secret as string), 'a secret was printed');
    }
  });

  it('wrong LDAP password: the bind fails with AD\'s reason (exit 4)', async () => {
    const { code, report, stdout } = await doctor(undefined, { ...world.env, HPS_LDAP_PASSWORD: 'Wrong-Passw0rd!' });
    assert.equal(code, 4);
    assert.equal(check(report, 'directory-reachable').result, 'ok');
    assert.equal(check(report, 'directory-tls').result, 'ok');
    const bind = check(report, 'directory-bind');
    assert.equal(bind.result, 'fail');
    assert.match(bind.detail, /wrong user name or password/);
    assert.equal(check(report, 'directory-photos').result, 'skip');
    assert.ok(!stdout.includes('Wrong-Passw0rd!'));
  });

  it('unreachable DC: reachability fails, the cloud checks still run', async () => {
    const { code, report } = await doctor((c) => {
      c.directory.url = 'ldaps://127.0.0.1:9';
      c.directory.timeoutMs = 3000;
    });
    assert.equal(code, 4);
    const r = check(report, 'directory-reachable');
    assert.equal(r.result, 'fail');
    assert.match(r.detail + r.advice, /ECONNREFUSED|firewall/);
    assert.equal(check(report, 'directory-bind').result, 'skip');
    assert.equal(check(report, 'cloud-graph').result, 'ok');
  });

  it('untrusted DC certificate: TLS verification fails with advice to give the CA', async () => {
    const { code, report } = await doctor((c) => {
      delete c.directory.caFile;
    });
    assert.equal(code, 4);
    const tls = check(report, 'directory-tls');
    assert.equal(tls.result, 'fail');
    assert.match(tls.detail + tls.advice, /caFile/);
  });

  it('a base DN that does not exist is a configuration failure (exit 2)', async () => {
    const { code, report } = await doctor((c) => {
      c.directory.baseDn = `OU=Nowhere,${c.directory.baseDn}`;
    });
    assert.equal(code, 2);
    assert.equal(check(report, 'directory-base-dn').result, 'fail');
  });

  it('an invalid config fails the first check and skips the rest (exit 2)', async () => {
    const { code, report } = await doctor((c) => {
      c.directory.pageSize = 0;
    });
    assert.equal(code, 2);
    assert.equal(check(report, 'config').result, 'fail');
    assert.match(check(report, 'config').detail, /pageSize/);
    assert.ok(report.checks.slice(1).every((c) => c.result === 'skip'));
  });

  it('a missing HR folder and a photo folder pattern that names nobody', async () => {
    const missing = await doctor((c) => {
      c.photoFolder = { path: path.join(world.dir, 'no-such-folder'), pattern: '{sAMAccountName}.jpg' };
    });
    assert.equal(check(missing.report, 'photo-folder').result, 'fail');
    assert.equal(missing.code, 2);
    const folder = await mkdtemp(path.join(tmpdir(), 'hps-doctor-hr-'));
    try {
      await writeFile(path.join(folder, 'doc1.jpg'), 'x');
      await writeFile(path.join(folder, 'someone-else.jpg'), 'x');
      const good = await doctor((c) => {
        c.photoFolder = { path: folder, pattern: '{sAMAccountName}.jpg' };
      });
      assert.match(check(good.report, 'photo-folder').detail, /2 image files; 1 of 3 sampled users have a file/);
      assert.equal(check(good.report, 'photo-folder').result, 'ok');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('state: a lock held by a live run is a warning (exit 1)', async () => {
    const statePath = path.join(world.dir, 'locked', 'state.db');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(statePath), { recursive: true });
    await writeFile(lockPathFor(statePath), JSON.stringify({ pid: process.pid, hostname: (await import('node:os')).hostname(), startedAt: new Date().toISOString(), nonce: 'n', command: 'reconcile' }));
    const { code, report } = await doctor((c) => {
      c.state = { path: statePath };
    });
    assert.equal(code, 1);
    const lock = check(report, 'state-lock');
    assert.equal(lock.result, 'warn');
    assert.match(lock.detail, new RegExp(`pid ${process.pid} .*a run is in progress`));
  });

  it('state: a state file from a newer build fails (exit 2); an older lock of a dead run is only a warning', async () => {
    const statePath = path.join(world.dir, 'newer', 'state.db');
    openSqliteStore(statePath).close();
    const db = new Database(statePath);
    db.prepare('INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)').run(99, 'later', 'from the future');
    db.close();
    await writeFile(lockPathFor(statePath), JSON.stringify({ pid: 2 ** 22 + 17, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', nonce: 'n' }));
    const { code, report } = await doctor((c) => {
      c.state = { path: statePath };
    });
    assert.equal(code, 2);
    const schema = check(report, 'state-schema');
    assert.equal(schema.result, 'fail');
    assert.match(schema.detail, /schema version 99, newer than this build/);
    const lock = check(report, 'state-lock');
    assert.equal(lock.result, 'warn');
    assert.match(lock.detail, /left behind by pid \d+ .*\(dead-pid\)/);
  });

  describe('permissions (emulator clients with other roles)', () => {
    let other: HybridWorld | undefined;
    afterEach(async () => {
      await other?.close();
      other = undefined;
    });

    async function withRoles(roles: string[]): Promise<{ code: number; report: JsonReport }> {
      const dc = world.dc;
      other = await buildHybridWorld(dc, `T-doctor/Roles${roles.length}`, [{ sam: `role${roles.length}`, cloud: {} }], { roles });
      const r = await runHps(['doctor', '--output', 'json', '--config', other.configPath], { env: other.env });
      return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
    }

    it('read-only roles: reconcile would fail its writes (warning, exit 1)', async () => {
      const { code, report } = await withRoles(['User.Read.All', 'PeopleSettings.Read.All']);
      assert.equal(code, 1);
      const roles = check(report, 'cloud-roles');
      assert.equal(roles.result, 'warn');
      assert.match(roles.detail, /reconcile\/fix NO/);
      assert.match(roles.advice, /ProfilePhoto\.ReadWrite\.All/);
    });

    it('no User.Read.All: the tenant cannot be read (exit 4), Graph listing fails with the same advice', async () => {
      const { code, report } = await withRoles(['ProfilePhoto.ReadWrite.All']);
      assert.equal(code, 4);
      assert.equal(check(report, 'cloud-roles').result, 'fail');
      assert.match(check(report, 'cloud-roles').advice, /User\.Read\.All/);
      assert.equal(check(report, 'cloud-graph').result, 'fail');
      assert.equal(check(report, 'cloud-photo-policy').result, 'warn');
    });
  });

  describe('Exchange bridge', () => {
    it('no PowerShell at the configured path: the check fails with install advice (exit 4)', async () => {
      const { code, report } = await doctor((c) => {
        c.exchange = { mode: 'onprem', connectionUri: ONPREM_URI, pwshPath: '/nonexistent/pwsh' };
      });
      assert.equal(code, 4);
      const p = check(report, 'exchange-pwsh');
      assert.equal(p.result, 'fail');
      assert.match(p.detail, /\/nonexistent\/pwsh/);
      assert.match(p.advice, /Install PowerShell/);
      assert.equal(check(report, 'exchange-session').result, 'skip');
    });

    it('a session to the stub opens; a refused connection fails with advice', async function () {
      const pwsh = await locatePwsh();
      if (typeof pwsh === 'string') skipLoudly(this, 'pwsh', pwsh);
      const root = await mkdtemp(path.join(tmpdir(), 'hps-doctor-ex-'));
      try {
        const store = await makeStore(root, []);
        const file = path.join(world.dir, 'doctor-exchange.json');
        await writeFile(file, JSON.stringify({ ...base, exchange: { mode: 'onprem', connectionUri: ONPREM_URI, authentication: 'Negotiate', pwshPath: pwsh.executable } }));
        let stderr = '';
        const io: CliIo = { out: () => undefined, err: (t) => void (stderr += t), log: createLogger((t) => void (stderr += t), { level: 'warn', format: 'human' }), env: world.env, isTty: false, cwd: world.dir };
        const extras = { exchange: { stubModulePath: STUB_MODULE, stubStorePath: store.dir } };
        const good = await runDoctorCommand({ output: 'json', config: file }, io, extras);
        const find = (id: string) => good.data.checks.find((c) => c.id === id);
        assert.equal(find('exchange-pwsh')?.result, 'ok');
        assert.equal(find('exchange-session')?.result, 'ok', find('exchange-session')?.detail);
        assert.ok((await store.connections()).some((l) => l[0] === 'New-PSSession' && l[1] === ONPREM_URI));

        await store.setFlag('connectFail');
        const bad = await runDoctorCommand({ output: 'json', config: file }, io, extras);
        const session = bad.data.checks.find((c) => c.id === 'exchange-session');
        assert.equal(session?.result, 'fail');
        assert.ok(session?.advice, 'advice for a refused connection');
        assert.equal(bad.exitCode, 4);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  });
});

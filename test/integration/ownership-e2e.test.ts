/**
 * Whose photo is it? End to end through the CLI, on the demo's LDIF export and the Graph emulator:
 * one cloud user matched by two on-prem accounts, a cleared source photo deleted once (and never the
 * photo someone puts there afterwards), and a broken Exchange bridge that must not stop the Graph users.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../mocks/graph-emulator/index.js';
import type { RunningEmulator } from '../../mocks/graph-emulator/types.js';
import { openSqliteStore } from '../../src/state/sqlite-store.js';
import { runHps, type CliRun } from '../support/cli.js';

import { parseJson, type ReportJson, type RunJson } from '../support/json.js';

const DEMO = path.resolve('mocks/demo');

/** The LDIF record (block) of the entry whose DN starts with `CN=<cn>,`. */
function block(ldif: string, cn: string): string {
  const b = ldif.split(/\n\n/).find((x) => x.includes(`dn: CN=${cn},`));
  if (!b) throw new Error(`no ${cn} in the LDIF`);
  return b;
}

function withoutPhoto(record: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of record.split('\n')) {
    if (/^thumbnailPhoto::/i.test(line)) skipping = true;
    else if (!(skipping && line.startsWith(' '))) {
      skipping = false;
      out.push(line);
    }
  }
  return out.join('\n');
}

describe('photo ownership end to end (CLI, demo LDIF, Graph emulator)', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let dir: string;
  let ldifPath: string;
  let configPath: string;
  let env: Record<string, string>;
  let baseConfig: Record<string, unknown>;
  const hps = (...args: string[]): Promise<CliRun> => runHps([...args, '--config', configPath], { env });
  const writeConfig = (extra: Record<string, unknown>): Promise<void> => writeFile(configPath, JSON.stringify({ ...baseConfig, ...extra }));

  beforeEach(async () => {
    const tenant = JSON.parse(await readFile(path.join(DEMO, 'tenant.json'), 'utf8')) as { clients: Array<{ clientId: string; secret: string }>; users: Array<{ photo?: string }> };
    for (const u of tenant.users) if (typeof u.photo === 'string') u.photo = path.join(DEMO, u.photo);
    emu = await startEmulator({ state: tenant as never, port: 0, faults: { retryAfterSeconds: 0.05 } });
    dir = await mkdtemp(path.join(tmpdir(), 'hps-ownership-'));
    ldifPath = path.join(dir, 'directory.ldif');
    await writeFile(ldifPath, await readFile(path.join(DEMO, 'directory.ldif')));
    const client = tenant.clients[0] as { clientId: string; secret: string };
    baseConfig = {
      directory: { type: 'ldif', file: ldifPath },
      cloud: { tenantId: emu.tenantId, clientId: client.clientId, authorityHost: emu.baseUrl, graphBaseUrl: emu.baseUrl, caFile: emu.caCertPath, maxTries: 2 },
      state: { path: path.join(dir, 'state.db'), auditLog: path.join(dir, 'audit.jsonl') },
    };
    configPath = path.join(dir, 'config.json');
    await writeConfig({});
    env = { HPS_CLIENT_SECRET: client.secret };
  });

  afterEach(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives a cloud user claimed twice to the stronger key, in the report and in reconcile', async () => {
    const ldif = await readFile(ldifPath, 'utf8');
    // An admin account, read first, whose mail is Alan Turing's: it must not take Alan's cloud user by mail.
    const admin = block(ldif, 'Grace Hopper')
      .replace('dn: CN=Grace Hopper,OU=Staff', 'dn: CN=adm-alan,OU=Admins')
      .replace(/^cn: .*$/m, 'cn: adm-alan')
      .replace(/^sAMAccountName: .*$/m, 'sAMAccountName: adm-alan')
      .replace(/^userPrincipalName: .*$/m, 'userPrincipalName: adm-alan@corp.example.com')
      .replace(/^mail: .*$/m, 'mail: alan.turing@corp.example.com')
      .replace(/^objectGUID:: .*$/m, 'objectGUID:: AAECAwQFBgcICQoLDA0ODw==');
    const alan = block(ldif, 'Alan Turing');
    await writeFile(ldifPath, ldif.replace(alan, `${admin}\n\n${alan}`));

    const report = parseJson<ReportJson>(await hps('report', '--format', 'json'));
    const row = (upn: string) => report.users.find((u) => u.upn === upn);
    assert.equal(row('alan.turing@corp.example.com')?.matchedBy, 'userPrincipalName');
    assert.equal(row('adm-alan@corp.example.com')?.status, 'unmatched');
    assert.match(row('adm-alan@corp.example.com')?.reason ?? '', /belongs to CN=Alan Turing.*stronger key than mail/);

    const before = emu.control.writeCounts();
    const run = parseJson<RunJson>(await hps('reconcile', '--output', 'json'));
    assert.ok(!run.actions.some((a) => (a.upn ?? '').startsWith('adm-alan')), JSON.stringify(run.actions));
    assert.notEqual(emu.control.getStoredPhoto('alan.turing@corp.example.com'), null, 'Alan still has his cloud photo');
    const after = emu.control.writeCounts();
    const written = Object.keys(after).filter((k) => after[k] !== before[k]);
    assert.equal(written.length, run.summary.written, 'only the planned writes happened');
  });

  it('a tie gives the cloud user to nobody, and fix on one party remembers the other', async () => {
    const ldif = await readFile(ldifPath, 'utf8');
    // Donald Knuth's cloud account is matched by mail only; a second account with the same mail ties with him.
    const knuth = block(ldif, 'Donald Knuth');
    const twin = knuth
      .replace('dn: CN=Donald Knuth,OU=Staff', 'dn: CN=adm-knuth,OU=Admins')
      .replace(/^cn: .*$/m, 'cn: adm-knuth')
      .replace(/^sAMAccountName: .*$/m, 'sAMAccountName: adm-knuth')
      .replace(/^userPrincipalName: .*$/m, 'userPrincipalName: adm-knuth@corp.example.com')
      .replace(/^objectGUID:: .*$/m, 'objectGUID:: EBESExQVFhcYGRobHB0eHw==');
    await writeFile(ldifPath, ldif.replace(knuth, `${knuth}\n\n${twin}`));
    // A cloud photo unlike his thumbnail: whoever gets the cloud user would overwrite it.
    await emu.control.setCloudPhoto('dknuth@corpexample.onmicrosoft.com', await readFile(path.join(DEMO, 'cloud-photos/grace.hopper.jpg')));
    const cloudPhoto = emu.control.getStoredPhoto('dknuth@corpexample.onmicrosoft.com');

    const report = parseJson<ReportJson>(await hps('report', '--format', 'json'));
    for (const upn of ['donald.knuth@corp.example.com', 'adm-knuth@corp.example.com']) {
      const row = report.users.find((u) => u.upn === upn);
      assert.equal(row?.status, 'unmatched', upn);
      assert.match(row?.reason ?? '', /matched by mail to several on-prem users \(CN=Donald Knuth.*CN=adm-knuth.*\); not guessing/);
    }
    const run = parseJson<RunJson>(await hps('reconcile', '--output', 'json'));
    assert.ok(!run.actions.some((a) => /knuth/.test(a.upn ?? '')), JSON.stringify(run.actions));
    // fix reads one party only: the state remembers the other, so it still writes nothing.
    const fix = await hps('fix', 'donald.knuth@corp.example.com', '--output', 'json');
    const only = parseJson<RunJson>(fix).actions;
    assert.deepEqual(only.map((a) => [a.upn, a.action, a.result]), [['donald.knuth@corp.example.com', 'skip', 'skipped']]);
    assert.match(only[0]?.reason ?? '', /is matched to CN=adm-knuth.*\(remembered from an earlier run\)/, 'fix says why it writes nothing');
    assert.deepEqual(emu.control.getStoredPhoto('dknuth@corpexample.onmicrosoft.com'), cloudPhoto, 'the cloud photo is untouched');
  });

  it('deletes a cleared photo once, and leaves alone the photo someone sets afterwards', async () => {
    const upn = 'eileen.collins@corp.example.com';
    assert.equal((await hps('reconcile', '--output', 'json')).code !== 70, true);
    const ldif = await readFile(ldifPath, 'utf8');
    const eileen = block(ldif, 'Eileen Collins');
    await writeFile(ldifPath, ldif.replace(eileen, withoutPhoto(eileen)));
    const del = parseJson<RunJson>(await hps('reconcile', '--output', 'json', '--allow-delete'));
    assert.deepEqual(del.actions.filter((a) => a.upn === upn).map((a) => [a.action, a.result]), [['delete', 'ok']]);
    assert.equal(emu.control.getStoredPhoto(upn), null);

    await emu.control.setCloudPhoto(upn, await readFile(path.join(DEMO, 'cloud-photos/grace.hopper.jpg')));
    for (let i = 0; i < 2; i++) {
      const again = parseJson<RunJson>(await hps('reconcile', '--output', 'json', '--allow-delete'));
      assert.deepEqual(again.actions.filter((a) => a.upn === upn), [], `run ${i + 2} after the delete`);
      assert.notEqual(emu.control.getStoredPhoto(upn), null, 'her own cloud photo stays');
    }
  });

  it('a broken Exchange bridge fails its users (retried next run) and the Graph users are still written', async () => {
    await writeConfig({
      exchange: { mode: 'onprem', connectionUri: 'http://exch.corp.example.com/PowerShell/', pwshPath: path.join(dir, 'no-such-pwsh') },
      routing: { overrides: [{ upn: 'katherine.johnson@corp.example.com', route: 'exchange-onprem' }] },
    });
    const r = await hps('reconcile', '--output', 'json');
    assert.equal(r.code, 1, r.stderr);
    const s = parseJson<RunJson>(r);
    const kj = s.actions.find((a) => a.upn === 'katherine.johnson@corp.example.com');
    assert.deepEqual([kj?.route, kj?.result], ['exchange-onprem', 'error']);
    assert.match(kj?.error ?? '', /WriterUnavailable: the exchange-onprem writer cannot work/);
    const graphOk = s.actions.filter((a) => a.route === 'graph' && a.result === 'ok');
    assert.ok(graphOk.length > 0, 'Graph users were written');
    assert.equal(Object.keys(emu.control.writeCounts()).length, graphOk.length);
    // Retried next run: still failing, still reported, Graph users not written twice.
    const writes = emu.control.writeCounts();
    const again = parseJson<RunJson>(await hps('reconcile', '--output', 'json'));
    assert.deepEqual(again.actions.find((a) => a.upn === 'katherine.johnson@corp.example.com')?.result, 'error');
    assert.deepEqual(again.actions.filter((a) => a.result === 'ok'), []);
    assert.deepEqual(emu.control.writeCounts(), writes);
  });

  it('an Exchange configuration that cannot work stops the run before anything is written: exit 2', async () => {
    await writeConfig({
      exchange: { mode: 'legacy' },
      routing: { overrides: [{ upn: 'katherine.johnson@corp.example.com', route: 'exchange-legacy' }] },
    });
    const r = await hps('reconcile', '--output', 'json');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /connectionUri/);
    assert.deepEqual(emu.control.writeCounts(), {});
  });

  it('an unreadable LDIF file or an unwritable state path is bad input: exit 2 with the reason', async () => {
    await writeConfig({ directory: { type: 'ldif', file: path.join(dir, 'missing.ldif') } });
    const noFile = await hps('report');
    assert.equal(noFile.code, 2, noFile.stderr);
    assert.match(noFile.stderr, /Cannot read the LDIF file .*missing\.ldif/);
    await writeConfig({ state: { path: path.join(ldifPath, 'state.db') } });
    const noState = await hps('reconcile');
    assert.equal(noState.code, 2, noState.stderr);
    assert.match(noState.stderr, /cannot create the state directory .*directory\.ldif.*state\.path/);
    // A kernel pseudo file system (sysfs refuses new files, even to root): refused before any mkdir or lock.
    if (process.platform === 'linux' && existsSync('/sys/kernel')) {
      await writeConfig({ state: { path: '/sys/state.db' } });
      const readOnly = await hps('reconcile');
      assert.equal(readOnly.code, 2, readOnly.stderr);
      assert.match(readOnly.stderr, /the state file \/sys\/state\.db cannot live under \/sys .*state\.path/);
    }
  });

  it('users whose objectGUID is bad or missing are errors listed for attention; the run goes on for everyone else', async () => {
    const ldif = await readFile(ldifPath, 'utf8');
    const twin = (cn: string, guidLine: string): string =>
      block(ldif, 'Grace Hopper')
        .replace('dn: CN=Grace Hopper,OU=Staff', `dn: CN=${cn},OU=Staff`)
        .replace(/^cn: .*$/m, `cn: ${cn}`)
        .replace(/^sAMAccountName: .*$/m, `sAMAccountName: ${cn}`)
        .replace(/^userPrincipalName: .*$/m, `userPrincipalName: ${cn}@corp.example.com`)
        .replace(/^mail: .*$/m, `mail: ${cn}@corp.example.com`)
        .replace(/^objectGUID:: .*\n/m, guidLine);
    await writeFile(ldifPath, `${ldif.trimEnd()}\n\n${twin('short-guid', 'objectGUID:: AAAA\n')}\n\n${twin('no-guid', '')}\n`);

    const r = await hps('reconcile', '--output', 'json');
    assert.equal(r.code, 1, r.stderr);
    const run = parseJson<RunJson & { attention: Array<{ upn: string; kind: string; reason: string }> }>(r);
    const bad = run.attention.filter((a) => /guid/.test(a.upn ?? '')).map((a) => [a.upn, a.kind]);
    assert.deepEqual(bad.sort(), [['no-guid@corp.example.com', 'error'], ['short-guid@corp.example.com', 'error']]);
    assert.match(run.attention.find((a) => (a.upn ?? '').startsWith('short-guid'))?.reason ?? '', /objectGUID is 3 bytes, expected 16/);
    assert.equal(run.summary.written, 5, 'the other users were written');

    const text = await hps('reconcile', '--full');
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /Needs attention \(3, not written\):\n(.*\n)* {2}error +short-guid@corp\.example\.com {2}.*objectGUID is 3 bytes/);

    const fix = await hps('fix', 'short-guid@corp.example.com', '--output', 'json');
    assert.equal(fix.code, 1, fix.stderr);
    const fixed = parseJson<RunJson>(fix);
    assert.deepEqual(fixed.actions.map((a) => [a.upn, a.action, a.result]), [['short-guid@corp.example.com', 'skip', 'skipped']]);
  });

  it('a run stopped by SIGTERM records itself as aborted, frees the lock, and the next run starts clean', async function () {
    if (process.platform === 'win32') this.skip();
    // Slow Graph, so the run is surely still reading when the signal comes.
    emu.control.setFaults({ latencyMs: 1500, retryAfterSeconds: 0.05 });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'reconcile', '--config', configPath], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lockFile = path.join(dir, 'state.db.lock');
    for (let i = 0; i < 200 && !existsSync(lockFile); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(lockFile), `the run took its lock; stderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGTERM');
    assert.equal(await exited, 143, stderr);
    assert.match(stderr, /hps: interrupted by SIGTERM; the run is recorded as aborted and its lock released/);
    assert.ok(!existsSync(lockFile), 'the lock file is gone');
    const state = openSqliteStore(path.join(dir, 'state.db'));
    try {
      const [run] = state.recentRuns(1);
      assert.deepEqual([run?.command, run?.status, run?.exitCode], ['reconcile', 'aborted', 143]);
    } finally {
      state.close();
    }
    assert.deepEqual(emu.control.writeCounts(), {}, 'stopped while reading: nothing written');

    emu.control.setFaults({ retryAfterSeconds: 0.05 });
    const next = await hps('reconcile');
    assert.equal(next.code, 1, next.stderr); // the demo's corrupt thumbnail
    assert.doesNotMatch(next.stderr, /took over the state lock/);
    assert.match(next.stdout, /5 written, 0 failed/);
  });
});

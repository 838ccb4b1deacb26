/**
 * The PowerShell bridge end to end in real PowerShell: the runner (node-powershell), the ps-scripts and the
 * Exchange stub module (mocks/exchange-stub), with the writer on top. PowerShell comes from $HPS_PWSH, the usual
 * places (executable.ts) or the engine host that .ci/install-pwsh.sh builds; without one the tests skip loudly.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { classifyExchangeError } from '../../src/powershell/advice.js';
import { createExchangeWriter, type ExchangeWriterOptions } from '../../src/powershell/exchange-writer.js';
import type { ProbeResult } from '../../src/powershell/executable.js';
import { withJobWorkspace } from '../../src/powershell/jobs.js';
import { createPowerShellRunner, type PowerShellRunner } from '../../src/powershell/runner.js';
import { findScriptsDir, SCRIPT_NAMES } from '../../src/powershell/scripts.js';
import { skipLoudly } from '../support/skip.js';
import { locatePwsh, makeStore, STUB_MODULE, type Store } from '../support/pwsh.js';


const stubModule = STUB_MODULE;
const scriptsDir = findScriptsDir();
const ONPREM_URI = 'http://exch01.stub.invalid/PowerShell/';
const LEGACY_URI = 'https://rps.stub.invalid/powershell-liveid/?DelegatedOrg=contoso.stub.invalid';

/** JPEG-looking bytes of a given size (the stub stores bytes; it does not decode them). */
function photo(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  b[0] = 0xff;
  b[1] = 0xd8;
  return b;
}

describe('powershell bridge (real PowerShell + Exchange stub)', function () {
  this.timeout(120_000);
  let pwsh: ProbeResult;
  let root: string;
  let jobRoot: string;
  let runner: PowerShellRunner;

  before(async function () {
    const found = await locatePwsh();
    if (typeof found === 'string') skipLoudly(this, 'pwsh', found);
    pwsh = found;
    root = await mkdtemp(path.join(tmpdir(), 'hps-psbridge-'));
    // Job files live under a directory whose name needs every kind of quoting: the quoted paths must survive.
    jobRoot = path.join(root, "jobs it's ‘q’ ’‚‛ $(x) `b ; &");
    await mkdir(jobRoot);
    runner = createPowerShellRunner({ executable: pwsh.executable, jobRoot, defaultTimeoutMs: 60_000 });
  });

  after(async () => {
    await runner?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  afterEach(async () => {
    // Every call cleans its job workspace, success or failure.
    if (jobRoot) assert.deepEqual(await readdir(jobRoot), []);
  });

  function writer(store: Store, extra: Partial<ExchangeWriterOptions> & Pick<ExchangeWriterOptions, 'mode'>) {
    return createExchangeWriter({ runner, stubModulePath: stubModule, stubStorePath: store.dir, authentication: 'Negotiate', ...extra });
  }

  it('sets, reads back and removes photos for a batch of users over one session', async () => {
    const users = ['alice@contoso.test', 'bob@contoso.test', 'carol@contoso.test', 'dave@contoso.test', 'erin@contoso.test'];
    const store = await makeStore(root, users);
    const w = writer(store, { mode: 'onprem', connectionUri: ONPREM_URI, authentication: 'Kerberos', batchSize: 2 });
    const items = users.map((u, i) => ({ key: `k${i}`, identity: u, jpeg: photo(3000 + i * 5000, i) }));
    const results = await w.setPhotos(items);
    assert.deepEqual(
      results.map((r) => [r.key, r.ok]),
      items.map((it) => [it.key, true]),
    );
    // On-prem has no 10 KB limit: the 23 KB photo went through.
    const back = await w.getPhotos(items.map(({ key, identity }) => ({ key, identity })));
    for (const [i, r] of back.entries()) {
      assert.equal(r.ok, true);
      assert.equal(r.exists, true);
      assert.ok(r.bytes?.equals(items[i]!.jpeg), `bytes of ${items[i]!.identity}`);
    }
    const conns = await store.connections();
    assert.equal(conns.filter(([verb]) => verb === 'New-PSSession').length, 1, 'one session for the whole run');
    assert.deepEqual(conns[0], ['New-PSSession', ONPREM_URI, 'Kerberos', 'Microsoft.Exchange']);

    const removed = await w.deletePhotos([{ key: 'k0', identity: users[0]! }, { key: 'k1', identity: users[1]! }]);
    assert.deepEqual(removed.map((r) => r.ok), [true, true]);
    const after = await w.getPhotos([{ key: 'k0', identity: users[0]! }, { key: 'k2', identity: users[2]! }]);
    assert.deepEqual(after.map((r) => [r.ok, r.exists]), [[true, false], [true, true]]);
    await w.close();
    assert.equal((await store.connections()).at(-1)?.[0], 'Remove-PSSession');
  });

  it('over a legacy URI without proxyMethod=RPS, a >10 KB photo fails with the 413 advice (script level)', async () => {
    const store = await makeStore(root, ['big@contoso.test', 'small@contoso.test']);
    const connect = path.join(scriptsDir, SCRIPT_NAMES.connect);
    const setPhotos = path.join(scriptsDir, SCRIPT_NAMES.setPhotos);
    const doc = await withJobWorkspace(async (ws) => {
      const c = await runner.runScript<{ ok: boolean; connectionUri: string }>(
        connect,
        await ws.writeJob({ mode: 'legacy', connectionUri: LEGACY_URI, authentication: 'Negotiate', stubModule, stubStore: store.dir }),
      );
      assert.equal(c.ok, true);
      assert.equal(c.connectionUri, LEGACY_URI);
      const big = await ws.writeFile(photo(12 * 1024, 1), '.jpg');
      const small = await ws.writeFile(photo(4 * 1024, 2), '.jpg');
      return runner.runScript<{ ok: boolean; items: { identity: string; ok: boolean; message: string; errorId: string }[] }>(
        setPhotos,
        await ws.writeJob({ items: [{ identity: 'big@contoso.test', photoPath: big }, { identity: 'small@contoso.test', photoPath: small }] }),
      );
    }, jobRoot);
    assert.equal(doc.ok, true);
    const [big, small] = doc.items;
    assert.equal(big?.ok, false);
    assert.equal(big?.message, 'The remote server returned an error: (413) Request Entity Too Large.');
    const advice = classifyExchangeError(big!, 'legacy');
    assert.equal(advice.errorId, 'RequestEntityTooLarge');
    assert.match(advice.advice, /proxyMethod=RPS.*KB 3062745/);
    assert.equal(small?.ok, true);
  });

  it('legacy mode adds proxyMethod=RPS itself, so the same >10 KB photo goes through', async () => {
    const store = await makeStore(root, ['big@contoso.test']);
    const w = writer(store, { mode: 'legacy', connectionUri: LEGACY_URI });
    assert.equal(w.connectionUri, `${LEGACY_URI}&proxyMethod=RPS`);
    const jpeg = photo(12 * 1024, 3);
    const [r] = await w.setPhotos([{ key: 'big', identity: 'big@contoso.test', jpeg }]);
    assert.equal(r?.ok, true, JSON.stringify(r));
    const conns = await store.connections();
    assert.deepEqual(conns.at(-1)?.slice(0, 2), ['New-PSSession', `${LEGACY_URI}&proxyMethod=RPS`]);
    const [back] = await w.getPhotos([{ key: 'big', identity: 'big@contoso.test' }]);
    assert.ok(back?.bytes?.equals(jpeg));
    await w.close();
  });

  it('passes hostile identities to Set-UserPhoto unchanged, as data, executing nothing', async () => {
    const marker = (n: number): string => path.join(root, `pwned-${n}`);
    const hostile = [
      `$(New-Item -ItemType File -Path '${marker(1)}')`,
      `$([IO.File]::WriteAllText('${marker(2)}', 'x'))`,
      `x'; [IO.File]::WriteAllText('${marker(3)}', 'x'); '`,
      `x\u2019; [IO.File]::WriteAllText(\u2018${marker(4)}\u2019, 'x'); \u2018`,
      `"; [IO.File]::WriteAllText("${marker(5)}", "x"); "`,
      `a\`"b\`$(whoami)\` ; & echo`,
      `\u201Cdouble\u201D \u2018single\u2019 \u201Alow\u201B`,
      'Zoë Ünïcødé 山田太郎 😀@contoso.test',
      '@{a=1}; ${env:PATH} %s %n',
    ];
    const store = await makeStore(root, hostile);
    const w = writer(store, { mode: 'onprem', connectionUri: ONPREM_URI });
    const items = hostile.map((identity, i) => ({ key: `h${i}`, identity, jpeg: photo(1000 + i, i) }));
    const results = await w.setPhotos(items);
    for (const r of results) assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(await store.received('Set-UserPhoto'), hostile);
    for (let n = 1; n <= 5; n++) assert.equal(existsSync(marker(n)), false, `marker ${n} must not exist`);
    const back = await w.getPhotos(items.map(({ key, identity }) => ({ key, identity })));
    back.forEach((r, i) => assert.ok(r.bytes?.equals(items[i]!.jpeg), `photo of ${hostile[i]}`));
    await w.close();
  });

  it('times out a hung call, restarts the shell, and the next call works', async () => {
    const store = await makeStore(root, ['slow@contoso.test']);
    const w = writer(store, { mode: 'onprem', connectionUri: ONPREM_URI, timeoutMs: 4000 });
    const [first] = await w.setPhotos([{ key: 's', identity: 'slow@contoso.test', jpeg: photo(500, 1) }]);
    assert.equal(first?.ok, true);
    const generation = runner.generation;
    await store.setFlag('hang', '60000');
    const started = Date.now();
    const [hung] = await w.setPhotos([{ key: 's', identity: 'slow@contoso.test', jpeg: photo(600, 2) }]);
    assert.ok(Date.now() - started < 20_000, 'the timeout, not the hang, ended the call');
    assert.equal(hung?.ok, false);
    assert.equal(hung?.errorId, 'Timeout');
    assert.equal(hung?.retryable, true);
    await store.clearFlag('hang');
    const [next] = await w.setPhotos([{ key: 's', identity: 'slow@contoso.test', jpeg: photo(700, 3) }]);
    assert.equal(next?.ok, true, JSON.stringify(next));
    assert.ok(runner.generation > generation, 'a new shell was started');
    assert.equal((await store.connections()).filter(([v]) => v === 'New-PSSession').length, 2, 'reconnected in the new shell');
    await w.close();
  });

  it('reconnects once when the session breaks and retries the untried users', async () => {
    const users = ['u1@contoso.test', 'u2@contoso.test', 'u3@contoso.test'];
    const store = await makeStore(root, users);
    const w = writer(store, { mode: 'onprem', connectionUri: ONPREM_URI });
    await w.setPhotos([{ key: 'warm', identity: users[0]!, jpeg: photo(100, 0) }]);
    await store.setFlag('breakSession');
    const results = await w.setPhotos(users.map((u, i) => ({ key: u, identity: u, jpeg: photo(800, i) })));
    assert.deepEqual(results.map((r) => r.ok), [true, true, true], JSON.stringify(results));
    assert.equal((await store.connections()).filter(([v]) => v === 'New-PSSession').length, 2);
    assert.deepEqual(await store.received('Set-UserPhoto'), [users[0], users[0], users[0], users[1], users[2]]);
    await w.close();
  });

  it('reports not found, access denied and on-prem missing cmdlets per user with advice', async () => {
    const store = await makeStore(root, ['ok@contoso.test', 'denied@contoso.test'], ['denied@contoso.test']);
    const w = writer(store, { mode: 'onprem', connectionUri: ONPREM_URI });
    const results = await w.setPhotos([
      { key: 'a', identity: 'ok@contoso.test', jpeg: photo(300, 1) },
      { key: 'b', identity: 'ghost@contoso.test', jpeg: photo(300, 2) },
      { key: 'c', identity: 'denied@contoso.test', jpeg: photo(300, 3) },
    ]);
    assert.deepEqual(results.map((r) => [r.key, r.ok, r.errorId]), [['a', true, undefined], ['b', false, 'ObjectNotFound'], ['c', false, 'AccessDenied']]);
    assert.match(results[1]?.message ?? '', /ghost@contoso\.test/);
    assert.match(results[2]?.advice ?? '', /role/);
    await store.setFlag('retired');
    const [missing] = await w.setPhotos([{ key: 'a', identity: 'ok@contoso.test', jpeg: photo(300, 1) }]);
    assert.equal(missing?.errorId, 'CmdletNotFound');
    await w.close();
  });

  it('says plainly that Set-UserPhoto is retired in Exchange Online (exo mode)', async () => {
    const store = await makeStore(root, ['cloud@contoso.test']);
    const w = writer(store, { mode: 'exo', organization: 'contoso.onmicrosoft.com', appId: '00000000-0000-0000-0000-000000000001', certificateThumbprint: 'ABCDEF0123456789' });
    const [r] = await w.setPhotos([{ key: 'c', identity: 'cloud@contoso.test', jpeg: photo(300, 1) }]);
    assert.equal(r?.ok, false);
    assert.equal(r?.errorId, 'CmdletRetired');
    assert.match(r?.message ?? '', /'Set-UserPhoto' is not recognized/);
    assert.match(r?.advice ?? '', /retired in Exchange Online on 30 Nov 2023.*Graph route/);
    assert.deepEqual((await store.connections())[0], ['Connect-ExchangeOnline', 'contoso.onmicrosoft.com', '00000000-0000-0000-0000-000000000001', 'ABCDEF0123456789']);
    await w.close();
  });

  it('explains connection failures: RPS blocked in Exchange Online, missing Basic credentials', async () => {
    const store = await makeStore(root, ['x@contoso.test']);
    await store.setFlag('connectFail');
    const exo = writer(store, { mode: 'legacy', connectionUri: 'https://outlook.office365.com/powershell-liveid/' });
    const [blocked] = await exo.setPhotos([{ key: 'x', identity: 'x@contoso.test', jpeg: photo(300, 1) }]);
    assert.equal(blocked?.errorId, 'RpsBlocked');
    assert.match(blocked?.advice ?? '', /1 Oct 2023/);
    assert.equal((await store.received()).length, 0, 'nothing reached Set-UserPhoto');
    await exo.close();

    await store.clearFlag('connectFail');
    const basic = writer(store, {
      mode: 'legacy',
      connectionUri: LEGACY_URI,
      authentication: 'Basic',
      credentialEnv: { user: 'HPS_TEST_UNSET_USER_9f3', password: 'HPS_TEST_UNSET_PASSWORD_9f3' },
    });
    const [nocred] = await basic.setPhotos([{ key: 'x', identity: 'x@contoso.test', jpeg: photo(300, 1) }]);
    assert.equal(nocred?.errorId, 'CredentialMissing');
    assert.match(nocred?.message ?? '', /HPS_TEST_UNSET_USER_9f3/);
    await basic.close();
  });

  it('replaces a shell that died between calls, without crashing Node', async () => {
    const own = createPowerShellRunner({ executable: pwsh.executable, jobRoot });
    try {
      const script = path.join(root, 'Get-Pid.ps1');
      await writeFile(script, 'param([string]$JobFile)\n\'{"hpsResult":1,"ok":true,"pid":\' + $PID + \'}\'\n');
      const first = await withJobWorkspace(async (ws) => own.runScript<{ pid: number }>(script, await ws.writeJob({})), jobRoot);
      assert.equal(own.generation, 1);
      const exited = new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          try {
            process.kill(first.pid, 0);
          } catch {
            clearInterval(poll);
            resolve();
          }
        }, 50);
      });
      process.kill(first.pid, 'SIGKILL');
      await exited;
      const second = await withJobWorkspace(async (ws) => own.runScript<{ pid: number }>(script, await ws.writeJob({})), jobRoot);
      assert.notEqual(second.pid, first.pid);
      assert.equal(own.generation, 2);
    } finally {
      await own.dispose();
    }
  });

  it('runs a script by -File with -JobFile, as an admin would', async () => {
    const { spawn } = await import('node:child_process');
    const store = await makeStore(root, ['file@contoso.test']);
    const result = await withJobWorkspace(async (ws) => {
      const job = await ws.writeJob({ mode: 'onprem', connectionUri: ONPREM_URI, authentication: 'Kerberos', stubModule, stubStore: store.dir });
      return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(pwsh.executable, ['-NoProfile', '-NonInteractive', '-File', path.join(scriptsDir, SCRIPT_NAMES.connect), '-JobFile', job], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
      });
    }, jobRoot);
    assert.equal(result.code, 0);
    const doc = JSON.parse(result.out.trim().split(/\r?\n/).at(-1) ?? '') as { hpsResult: number; ok: boolean; mode: string };
    assert.deepEqual([doc.hpsResult, doc.ok, doc.mode], [1, true, 'onprem']);
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { trustLocalCa } from '../support/tls.js';

const FIXTURE = path.resolve('mocks/graph-emulator/fixtures/state.json');

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    rl.once('line', (line) => {
      rl.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code}): ${stderr}`)));
  });
}

describe('graph emulator CLI', function () {
  let dir: string;
  let child: ChildProcess | undefined;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), 'graph-emulator-cli-'));
  });

  after(async function () {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its endpoints as one JSON line, serves the fixture tenant, and stops on SIGTERM', async function () {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'mocks/graph-emulator/main.ts', '--state', FIXTURE, '--cert-dir', dir, '--max-in-flight', '2', '--retry-after', '0.5', '--concurrency-scope', 'mailbox'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const info = JSON.parse(await firstLine(child)) as Record<string, string>;
    assert.deepEqual(Object.keys(info).sort(), ['authority', 'authorityHost', 'baseUrl', 'caCertPath', 'tenantId']);
    assert.equal(info['tenantId'], '8f2b7a4e-3c1d-4e5f-9a6b-1c2d3e4f5a6b');
    assert.match(info['baseUrl'] ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info['authority'], `${info['baseUrl']}/${info['tenantId']}`);

    const trust = trustLocalCa(info['caCertPath'] ?? '');
    try {
      const faults = (await (await trust.fetch(`${info['baseUrl']}/_emulator/faults`)).json()) as Record<string, number | string>;
      assert.equal(faults['maxInFlightPerApp'], 2);
      assert.equal(faults['concurrencyScope'], 'mailbox');
      assert.equal(faults['retryAfterSeconds'], 0.5);
      const form = new URLSearchParams({
        client_id: '0b6a2f7e-6f1c-4d3a-9a51-5c2e8d1f0a02',
        client_secret: 'emulator-report-secret',
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
      });
      const tokenRes = await trust.fetch(`${info['authority']}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      const { access_token: token } = (await tokenRes.json()) as { access_token: string };
      const users = (await (await trust.fetch(`${info['baseUrl']}/v1.0/users`, { headers: { authorization: `Bearer ${token}` } })).json()) as { value: unknown[] };
      assert.equal(users.value.length, 5);
      const photo = await trust.fetch(`${info['baseUrl']}/v1.0/users/megan.bowen@contoso.example/photo`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(((await photo.json()) as { width: number }).width, 648, 'the fixture PNG larger than 648 px is stored re-encoded');
    } finally {
      await trust.close();
    }

    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});

/**
 * What the Graph emulator itself adds to every operation, measured with the smallest possible client (undici, one
 * token, no tool code): the request floor counts latency only, so this tells how much of a run's distance from its
 * floor is the emulator's and the machine's, not the tool's.
 *
 *   node --import tsx bench/emulator-overhead.ts [--latency-ms 20] [--users 400]
 *
 * Prints, for plain GETs (one at a time, then four at a time, the `app` scope's limit) and for $batch envelopes of 20
 * metadata items (one at a time: four items run at once on the server), the time per operation slot against the
 * latency it should take, and the ratio.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, fetch } from 'undici';
import { startEmulator } from '../mocks/graph-emulator/index.js';
import { loadPhotoPool } from './photo-pool.js';
import { BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, writeTenant } from './tenant.js';

const { values } = parseArgs({ options: { 'latency-ms': { type: 'string', default: '20' }, users: { type: 'string', default: '400' } } });
const latency = Number(values['latency-ms']);
const users = Number(values.users);

const dir = await mkdtemp(join(tmpdir(), 'hps-overhead-'));
try {
  const tenant = await writeTenant(dir, users, await loadPhotoPool({ size: 200 }));
  const state = JSON.parse(await readFile(tenant.statePath, 'utf8')) as { tenantId: string; users: Array<{ id: string }> };
  const emulator = await startEmulator({ state: tenant.statePath, port: 0, faults: { latencyMs: latency, concurrencyScope: 'app' } });
  const dispatcher = new Agent({ connect: { ca: await readFile(emulator.caCertPath, 'utf8') } });
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: BENCH_CLIENT_ID, client_secret: BENCH_CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' });
  const tokenRes = await fetch(`${emulator.baseUrl}/${state.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: form, dispatcher });
  const auth = { authorization: `Bearer ${((await tokenRes.json()) as { access_token: string }).access_token}` };
  const ids = state.users.map((u) => u.id).slice(0, users);
  const get = async (id: string): Promise<void> => {
    const r = await fetch(`${emulator.baseUrl}/v1.0/users/${id}/photo`, { headers: auth, dispatcher });
    await r.arrayBuffer();
    if (r.status !== 200 && r.status !== 404) throw new Error(`GET answered ${r.status}`);
  };
  const lanes = async (n: number, work: (i: number) => Promise<void>, count: number): Promise<number> => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, async () => {
      while (next < count) await work(next++);
    }));
    return performance.now() - t0;
  };
  await lanes(4, (i) => get(ids[i % ids.length] as string), 40); // warm-up: connections, JIT
  const report = (what: string, ms: number, slots: number, ideal: number): void => {
    const per = ms / slots;
    process.stdout.write(`${what.padEnd(48)} ${per.toFixed(1).padStart(6)} ms a slot (latency ${ideal} ms): ${(per / Math.max(ideal, 0.001)).toFixed(2)} ×\n`);
  };
  report('plain GET, one at a time', await lanes(1, (i) => get(ids[i] as string), 100), 100, latency);
  report('plain GET, four at a time', await lanes(4, (i) => get(ids[i % ids.length] as string), users), users / 4, latency);
  const batch = async (b: number): Promise<void> => {
    const requests = ids.slice(b * 20, b * 20 + 20).map((id, i) => ({ id: String(i), method: 'GET', url: `/users/${id}/photo` }));
    const r = await fetch(`${emulator.baseUrl}/v1.0/$batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ requests }), dispatcher });
    await r.arrayBuffer();
  };
  const batches = Math.floor(users / 20);
  report('$batch of 20 items, one at a time (4 items run)', await lanes(1, batch, batches), (batches * 20) / 4, latency);
  await dispatcher.close();
  await emulator.stop();
} finally {
  await rm(dir, { recursive: true, force: true });
}

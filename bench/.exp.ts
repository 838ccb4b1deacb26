import { spawn } from 'node:child_process';
import { rm, writeFile, mkdir } from 'node:fs/promises';
import { startEmulator } from '../mocks/graph-emulator/index.js';
const [, , tenantDir, scope = 'app', latency = '0', users = ''] = process.argv;
const emu = await startEmulator({ state: `${tenantDir}/tenant.json`, port: 0, faults: { latencyMs: Number(latency), concurrencyScope: scope as 'app' } });
const stateDir = '/tmp/i11-exp/state';
await rm(stateDir, { recursive: true, force: true }); await mkdir(stateDir, { recursive: true });
const cfg = { directory: { type: 'ldif', file: `${tenantDir}/directory.ldif` }, cloud: { tenantId: emu.tenantId, clientId: '5a7c9e1b-3d5f-4a6c-8e0b-2d4f6a8c0e1d', clientSecretEnv: 'HPS_CLIENT_SECRET', authorityHost: emu.baseUrl, graphBaseUrl: emu.baseUrl, caFile: emu.caCertPath }, reconcile: { changeThreshold: 100000 }, state: { path: `${stateDir}/state.db`, auditLog: `${stateDir}/audit.jsonl` } };
await writeFile('/tmp/i11-exp/config.json', JSON.stringify(cfg));
for (const args of [['reconcile', '--config', '/tmp/i11-exp/config.json', '--output', 'json'], ['reconcile', '--full', '--config', '/tmp/i11-exp/config.json', '--output', 'json']]) {
  emu.control.clearLog();
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, HPS_CLIENT_SECRET: 'bench-only-secret' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = ''; child.stdout.on('data', (b) => (out += b));
  await new Promise((r) => child.on('close', r));
  const log = emu.control.requestLog();
  const buckets = new Map<number, Record<string, number>>();
  for (const e of log) { const s = Math.floor((e.at - t0) / 1000); const b = buckets.get(s) ?? {}; const k = `${e.method}${e.batched ? '*' : ''} ${e.path.replace(/users\/[^/]+/, 'users/X').replace(/\/v1.0/, '')} ${e.status}`; b[k] = (b[k] ?? 0) + 1; buckets.set(s, b); }
  console.log(args[1], 'wall', Date.now() - t0, 'ms', out.slice(0, 300));
  for (const [s, b] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) console.log(s, JSON.stringify(b));
}
await emu.stop();

/**
 * One Graph emulator for one synthetic tenant, started in the orchestrator process (the CLI under test runs in
 * a child process and talks to it over HTTPS), plus the CLI config that points at it. While a scenario runs the
 * emulator's request log is drained into a Traffic count every 250 ms, so a long run never hits the log's cap.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../mocks/graph-emulator/index.js';
import { parseConfig } from '../src/config/load.js';
import { countTraffic, emptyTraffic, sumWrites, type Traffic } from './traffic.js';
import type { Tenant } from './tenant.js';

export interface EmulatorSession {
  emulator: RunningEmulator;
  scope: 'app' | 'mailbox';
  configPath: string;
  statePath: string;
  /** Environment the CLI needs (the client secret; the CA is in the config's cloud.caFile). */
  env: Record<string, string>;
  /** Starts counting; the returned function stops and gives what was seen since. */
  watch(): () => Watched;
  stop(): Promise<void>;
}

export interface Watched {
  traffic: Traffic;
  cloudWrites: number;
  /** Date.now() of the first request seen, if any. */
  firstRequestAt?: number;
  /** CPU used by this process (the emulator, mostly) while watching, ms. */
  cpuMs: number;
}

export interface SessionOptions {
  latencyMs: number;
  /** The emulator's reading of the 4-concurrent rule. */
  scope: 'app' | 'mailbox';
  /** cloud.maxInFlight of the tool's config. */
  maxInFlight: number;
  /** Names the session's own state folder and config, so each session starts with no state. */
  name?: string;
  /** Safety thresholds are for scheduled runs; an initial sync of a drifted tenant needs a higher change threshold. */
  changeThreshold: number;
}

export async function openSession(tenant: Tenant, opts: SessionOptions): Promise<EmulatorSession> {
  const emulator = await startEmulator({ state: tenant.statePath, port: 0, faults: { latencyMs: opts.latencyMs, concurrencyScope: opts.scope } });
  const stateDir = join(tenant.dir, opts.name ? `state-${opts.name}` : 'state');
  await mkdir(stateDir, { recursive: true });
  const raw = {
    directory: { type: 'ldif', file: tenant.ldifPath },
    cloud: {
      tenantId: emulator.tenantId,
      clientId: tenant.clientId,
      clientSecretEnv: 'HPS_CLIENT_SECRET',
      authorityHost: emulator.baseUrl,
      graphBaseUrl: emulator.baseUrl,
      caFile: emulator.caCertPath,
      maxInFlight: opts.maxInFlight,
    },
    reconcile: { changeThreshold: opts.changeThreshold },
    state: { path: join(stateDir, 'state.db'), auditLog: join(stateDir, 'audit.jsonl') },
  };
  const configPath = join(tenant.dir, opts.name ? `hybrid-photo-sync.${opts.name}.config.json` : 'hybrid-photo-sync.config.json');
  parseConfig(raw, configPath, tenant.dir); // fail here, not in the first child, if the bench writes a bad config
  await writeFile(configPath, `${JSON.stringify(raw, null, 2)}\n`);

  return {
    emulator,
    scope: opts.scope,
    configPath,
    statePath: raw.state.path,
    env: { HPS_CLIENT_SECRET: tenant.clientSecret },
    watch() {
      const control = emulator.control;
      control.clearLog();
      const writesBefore = sumWrites(control.writeCounts());
      const cpuBefore = process.cpuUsage();
      const traffic = emptyTraffic();
      let firstRequestAt: number | undefined;
      const drain = (): void => {
        const entries = control.requestLog();
        control.clearLog();
        if (firstRequestAt === undefined && entries.length > 0) firstRequestAt = entries[0]?.at;
        countTraffic(entries, traffic);
      };
      const timer = setInterval(drain, 250);
      return () => {
        clearInterval(timer);
        drain();
        const cpu = process.cpuUsage(cpuBefore);
        return {
          traffic,
          cloudWrites: sumWrites(control.writeCounts()) - writesBefore,
          ...(firstRequestAt === undefined ? {} : { firstRequestAt }),
          cpuMs: (cpu.user + cpu.system) / 1000,
        };
      };
    },
    stop: () => emulator.stop(),
  };
}

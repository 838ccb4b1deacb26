/**
 * The shapes of a benchmark result (what the JSON file holds and the table shows).
 */
import type { Traffic } from './traffic.js';

/** A correctness check: a failed one fails the benchmark. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export type ConcurrencyScope = 'app' | 'mailbox';

/** How a latency-bound run compares with what the network allows and with a serial script. */
export interface SpeedFacts {
  /** Graph operations the run needs at least (metadata items, downloads, writes and their etag reads, pages, policy). */
  units: number;
  /** What the service lets run at once: 4 under the `app` scope, the tool's ceiling (cloud.maxInFlight) under `mailbox`. */
  allowedInFlight: number;
  /** units ÷ allowedInFlight × latency. */
  floorMs: number;
  /** wall ÷ floor. */
  ratioToFloor: number | null;
  /** The serial baseline's time for the same work ÷ this run's wall time (how many times faster). */
  speedupVsSerial: number | null;
}

export interface ScenarioResult {
  id: 'startup' | 'report' | 'reconcile-first' | 'reconcile-rerun' | 'report-quarter' | 'serial-baseline';
  /** The emulator's concurrency scope for this run (absent: not talking to Graph, or scope irrelevant). */
  scope?: ConcurrencyScope;
  title: string;
  users: number;
  /** The command as a user would type it (paths shortened to the work folder). */
  command: string;
  exitCode: number | null;
  wallMs: number;
  /** From spawn to the first request the emulator saw (node + imports + config + MSAL). */
  startupMs: number | null;
  usersPerSecond: number | null;
  /** Kernel high-water RSS of the CLI process, bytes. */
  peakRss: number | null;
  peakHeapUsed: number | null;
  /** CPU of the CLI process (all threads), ms. */
  cpuMs: number | null;
  /** CPU of the orchestrator, i.e. the in-process Graph emulator, ms. */
  emulatorCpuMs: number;
  /**
   * CPU the rest of the machine used meanwhile (other processes), ms; null off Linux.
   * Much of it means the numbers were taken on a busy machine.
   */
  otherCpuMs: number | null;
  traffic: Traffic;
  /** Sum of the emulator's writeCounts() change during the run. */
  cloudWrites: number;
  /**
   * Where the time went in a run that wrote: `readMs` from the first Graph request to the first photo write
   * (read, compare, prepare uploads), `applyMs` from the first write to the process's exit.
   */
  phases?: { readMs: number; applyMs: number; uploadsPerSecond: number };
  /** RSS and heap used over time, MB, every few seconds: [seconds since start, rss, heapUsed]. */
  memoryTimeline: Array<[number, number, number]>;
  /** The command's own summary (report status counts, or the reconcile run summary). */
  summary?: Record<string, unknown>;
  checks: Check[];
  /** The last lines of stderr when the run failed. */
  stderrTail?: string;
  /** Latency-bound comparison (with emulated latency only). */
  speed?: SpeedFacts;
  /** The serial baseline's split: time in GETs (a no-change rerun of the script) and in PUTs. */
  serial?: { getMs: number; putMs: number };
}

export interface Goal {
  name: string;
  target: string;
  measured: string;
  /** null: not judged (time goals under emulated network latency). */
  met: boolean | null;
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  kernel: string;
  gitCommit?: string;
  /** Files differing from the commit when the bench ran. */
  gitDirtyFiles?: number;
}

export interface TenantFacts {
  users: number;
  cloudUsers: number;
  ldifBytes: number;
  sourcePhotoBytes: number;
  comparedCloudPhotoBytes: number;
  writeMs: number;
}

export interface BenchResult {
  format: 1;
  date: string;
  command: string;
  machine: MachineInfo;
  options: { users: number; quarter: number; pool: number; quick: boolean; latencyMs: number; maxOldSpaceMb: number | null; scopes: ConcurrencyScope[]; maxInFlight: number; serial: boolean; report: boolean };
  pool: { size: number; generated: boolean; ms: number };
  tenants: { full: TenantFacts; quarter: TenantFacts };
  scenarios: ScenarioResult[];
  goals: Goal[];
  /** Memory scaling: peak RSS at N over peak RSS at N/4, and what holding every photo would add. */
  memory: { ratio: number | null; growthBytes: number | null; photoBytesFull: number; photoBytesQuarter: number };
  ok: boolean;
  totalMs: number;
}

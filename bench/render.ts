/**
 * The results as text tables (terminal) and as Markdown (for docs/benchmarks.md). Pure.
 */
import type { BenchResult, ScenarioResult } from './result.js';

const MB = 1024 * 1024;

function num(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? '–' : v.toFixed(digits);
}

export const SCENARIO_COLUMNS = [
  'scenario', 'scope', 'users', 'wall s', 'floor s', '× floor', '× faster than serial', 'CPU ms/user', 'start-up s', 'users/s', 'peak RSS MB', 'peak heap MB', 'CPU s (tool)', 'cores busy', 'CPU s (emulator)', 'CPU s (others)',
  'Graph ops', 'HTTP reqs', 'downloads', 'writes', '429s',
] as const;

export function scenarioRow(r: ScenarioResult): string[] {
  return [
    r.id,
    r.scope ?? '–',
    r.users > 0 ? String(r.users) : '–',
    num(r.wallMs / 1000),
    num(r.speed ? r.speed.floorMs / 1000 : null),
    num(r.speed?.ratioToFloor, 2),
    num(r.speed?.speedupVsSerial, 2),
    num(r.cpuMs !== null && r.users > 0 ? r.cpuMs / r.users : null, 2),
    num(r.startupMs === null ? null : r.startupMs / 1000),
    num(r.usersPerSecond, 0),
    num(r.peakRss === null ? null : r.peakRss / MB, 0),
    num(r.peakHeapUsed === null ? null : r.peakHeapUsed / MB, 0),
    num(r.cpuMs === null ? null : r.cpuMs / 1000),
    num(r.cpuMs === null ? null : r.cpuMs / r.wallMs, 2),
    num(r.emulatorCpuMs / 1000),
    num(r.otherCpuMs === null ? null : r.otherCpuMs / 1000),
    String(r.traffic.graphOperations),
    String(r.traffic.httpRequests),
    String(r.traffic.photoDownloads),
    String(r.traffic.photoWrites),
    String(r.traffic.status429),
  ];
}

/**
 * How busy the service's in-flight slots were (slot time ÷ (wall × allowed in flight)), and what one operation of
 * each kind held a slot for against the emulated latency: the emulator's own work shows there, not the tool's.
 */
export function slotLine(r: ScenarioResult, latencyMs: number): string {
  const s = r.traffic.slotMs;
  const t = r.traffic;
  const total = s.meta + s.download + s.write + s.other;
  const use = r.speed && r.wallMs > 0 ? total / (r.wallMs * r.speed.allowedInFlight) : null;
  const per = (ms: number, n: number): string => (n > 0 ? `${(ms / n).toFixed(1)} ms` : '–');
  return `${r.id} (${r.scope}): slots busy ${use === null ? '–' : `${(use * 100).toFixed(0)}%`} of wall × ${r.speed?.allowedInFlight ?? '–'}; ` +
    `a slot held per operation (latency ${latencyMs} ms): metadata ${per(s.meta, t.photoMetaReads)}, download ${per(s.download, t.photoDownloads)}, write ${per(s.write, t.photoWriteAttempts)}`;
}

/** A plain aligned table. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function goalRows(result: BenchResult): string[][] {
  return result.goals.map((g) => [g.name, g.target, g.measured, g.met === null ? 'n/a' : g.met ? 'met' : 'NOT MET']);
}

function failedChecks(result: BenchResult): string[] {
  return result.scenarios.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => `${s.id}: ${c.name}: ${c.detail}`));
}

/** Other processes' share of the machine during a scenario, when it is large enough to skew the timings. */
export function busyWarning(result: BenchResult): string[] {
  const busy = result.scenarios
    .filter((x) => x.otherCpuMs !== null && x.wallMs > 0)
    .map((x) => ({ id: x.id, share: (x.otherCpuMs ?? 0) / (x.wallMs * result.machine.nproc) }))
    .filter((x) => x.share > 0.1);
  if (busy.length === 0) return [];
  return [`WARNING: other processes used the machine meanwhile (${busy.map((x) => `${x.id} ${(x.share * 100).toFixed(0)}%`).join(', ')} of all cores); timings are pessimistic`];
}

export function renderText(result: BenchResult): string {
  const m = result.machine;
  const failed = failedChecks(result);
  return [
    `hybrid-photo-sync benchmark — ${result.date}`,
    `machine: ${m.nproc} cores (${m.cpuModel}), ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB, node ${m.node}, ${m.platform} ${m.kernel}`,
    `tenant: ${result.options.users} on-prem users (+${result.tenants.full.cloudUsers - result.options.users} cloud-only), ` +
      `${result.pool.size} distinct pictures, LDIF ${(result.tenants.full.ldifBytes / MB).toFixed(1)} MB; emulator latency ${result.options.latencyMs} ms; ` +
      `tool cloud.maxInFlight ${result.options.maxInFlight}` +
      (result.options.maxOldSpaceMb ? `; CLI heap capped at --max-old-space-size=${result.options.maxOldSpaceMb}` : ''),
    '',
    textTable(SCENARIO_COLUMNS, result.scenarios.map(scenarioRow)),
    '',
    textTable(['goal', 'target', 'measured', ''], goalRows(result)),
    '',
    result.memory.ratio === null
      ? 'memory scaling: not measured'
      : `memory scaling: peak RSS ${result.memory.ratio.toFixed(2)}× from ${result.options.quarter} to ${result.options.users} users ` +
        `(+${((result.memory.growthBytes ?? 0) / MB).toFixed(0)} MB); holding every photo would take ` +
        `${(result.memory.photoBytesQuarter / MB).toFixed(0)} MB → ${(result.memory.photoBytesFull / MB).toFixed(0)} MB`,
    ...result.scenarios
      .filter((x) => x.phases)
      .map((x) => `${x.id}: read, compare and prepare ${((x.phases?.readMs ?? 0) / 1000).toFixed(1)} s; apply ${((x.phases?.applyMs ?? 0) / 1000).toFixed(1)} s (${(x.phases?.uploadsPerSecond ?? 0).toFixed(0)} uploads/s)`),
    ...result.scenarios
      .filter((x) => x.speed)
      .map((x) => `${x.id} (${x.scope}): floor = ${x.speed?.units} operations ÷ ${x.speed?.allowedInFlight} in flight × ${result.options.latencyMs} ms = ${((x.speed?.floorMs ?? 0) / 1000).toFixed(1)} s`),
    ...result.scenarios.filter((x) => x.speed && x.traffic.slotMs).map((x) => slotLine(x, result.options.latencyMs)),
    ...busyWarning(result),
    failed.length === 0 ? 'checks: all passed' : `checks FAILED:\n${failed.map((f) => `  - ${f}`).join('\n')}`,
    `total ${(result.totalMs / 1000).toFixed(0)} s — ${result.ok ? 'OK' : 'FAILED'}`,
    '',
  ].join('\n');
}

export function renderMarkdown(result: BenchResult): string {
  return [
    markdownTable(SCENARIO_COLUMNS, result.scenarios.map(scenarioRow)),
    '',
    markdownTable(['goal', 'target', 'measured', 'result'], goalRows(result)),
    '',
  ].join('\n');
}

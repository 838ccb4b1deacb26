/**
 * The benchmark's goals and whether a run met them. Pure.
 *
 * Time goals are stated for 10,000 users and scale as `startup allowance + per-user budget × N`, so a --quick or
 * --users run is judged by the same yardstick. Memory goals do not scale: the tool streams, so its peak should
 * not follow N.
 */
import type { Goal, ScenarioResult } from './result.js';

export const GOAL_USERS = 10_000;
/** Allowance for start-up (node, tsx, imports, sign-in) in every time goal. */
export const STARTUP_ALLOWANCE_MS = 5_000;

/** Wall-clock budgets at 10,000 users (start-up allowance included). */
export const TIME_GOALS_AT_10K = {
  report: 120_000,
  'reconcile-first': 240_000,
  'reconcile-rerun': 60_000,
} as const;

export const RSS_LIMIT_BYTES = 400 * 1024 * 1024;
export const RSS_RATIO_LIMIT = 1.5;

/** The budget for `users` users, from the one stated at 10,000. */
export function timeBudgetMs(at10k: number, users: number): number {
  const perUser = (at10k - STARTUP_ALLOWANCE_MS) / GOAL_USERS;
  return STARTUP_ALLOWANCE_MS + perUser * users;
}

const MB = 1024 * 1024;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number): string => `${(b / MB).toFixed(0)} MB`;

function byId(scenarios: readonly ScenarioResult[], id: ScenarioResult['id']): ScenarioResult | undefined {
  return scenarios.find((x) => x.id === id);
}

export function memoryRatio(scenarios: readonly ScenarioResult[]): number | null {
  const full = byId(scenarios, 'report')?.peakRss;
  const quarter = byId(scenarios, 'report-quarter')?.peakRss;
  return full && quarter ? full / quarter : null;
}

/**
 * Time goals measure the tool against a local emulator (latency 0); with emulated latency they are reported but
 * not judged (`met: null`), since the network then sets the pace.
 */
export function evaluateGoals(scenarios: readonly ScenarioResult[], users: number, latencyMs = 0): Goal[] {
  const goals: Goal[] = [];
  const n = users.toLocaleString('en-US');
  for (const id of ['report', 'reconcile-first', 'reconcile-rerun'] as const) {
    const sc = byId(scenarios, id);
    const budget = timeBudgetMs(TIME_GOALS_AT_10K[id], users);
    goals.push({
      name: `${id}: wall clock at ${n} users`,
      target: latencyMs > 0 ? `not judged with ${latencyMs} ms emulated latency` : `< ${s(budget)} (${s(TIME_GOALS_AT_10K[id])} at 10,000)`,
      measured: sc ? s(sc.wallMs) : 'not run',
      met: latencyMs > 0 ? null : sc !== undefined && sc.wallMs < budget,
    });
  }
  const rerun = byId(scenarios, 'reconcile-rerun');
  goals.push({
    name: 'no-change rerun: no photo downloads, no cloud writes',
    target: '0 downloads, 0 writes',
    measured: rerun ? `${rerun.traffic.photoDownloads} downloads, ${rerun.traffic.photoWriteAttempts} write requests, ${rerun.cloudWrites} cloud writes` : 'not run',
    met: rerun !== undefined && rerun.traffic.photoDownloads === 0 && rerun.traffic.photoWriteAttempts === 0 && rerun.cloudWrites === 0,
  });
  const peak = Math.max(0, ...scenarios.filter((x) => x.id !== 'startup').map((x) => x.peakRss ?? 0));
  goals.push({
    name: `peak RSS of any run at ${n} users`,
    target: `< ${mb(RSS_LIMIT_BYTES)}`,
    measured: peak > 0 ? mb(peak) : 'not measured',
    met: peak > 0 && peak < RSS_LIMIT_BYTES,
  });
  const ratio = memoryRatio(scenarios);
  goals.push({
    name: `peak RSS of report at N vs N/4`,
    target: `< ${RSS_RATIO_LIMIT}×`,
    measured: ratio === null ? 'not measured' : `${ratio.toFixed(2)}×`,
    met: ratio !== null && ratio < RSS_RATIO_LIMIT,
  });
  const throttled = scenarios.reduce((a, x) => a + x.traffic.status429, 0);
  goals.push({
    name: '429s with the default 4 in flight (the limiter matches the service)',
    target: '0',
    measured: String(throttled),
    met: throttled === 0,
  });
  return goals;
}

/**
 * The benchmark's goals and whether a run met them. Pure.
 *
 * Zero latency measures the tool: time goals are stated for 10,000 users and scale as `startup allowance +
 * per-user budget × N`, so a --quick or --users run is judged by the same yardstick; memory goals do not scale (the
 * tool streams, so its peak should not follow N). With emulated latency the network sets the pace: runs are judged
 * by their ratio to the request floor and to the serial baseline (issue 11), per concurrency scope.
 */
import type { Goal, ScenarioResult } from './result.js';

export const GOAL_USERS = 10_000;
/** Allowance for start-up (node, imports, sign-in) in every time goal. */
export const STARTUP_ALLOWANCE_MS = 5_000;

/** Wall-clock budgets at 10,000 users and zero latency (start-up allowance included). */
export const TIME_GOALS_AT_10K = {
  report: 120_000,
  'reconcile-first': 240_000,
  'reconcile-rerun': 8_000,
} as const;

export const RSS_LIMIT_BYTES = 250 * 1024 * 1024;
export const RSS_RATIO_LIMIT = 1.2;
/** Under the `app` scope: wall ≤ this × floor, first run and rerun. */
export const FLOOR_RATIO_LIMIT = 1.3;
/** Under the `app` scope: 429s ≤ this share of Graph operations. */
export const THROTTLED_SHARE_LIMIT = 0.01;
/** Times faster than the serial script: app first run, app rerun, mailbox first run. */
export const SPEEDUP_GOALS = { appFirst: 2.2, appRerun: 3, mailboxFirst: 10 } as const;

/** The budget for `users` users, from the one stated at 10,000. */
export function timeBudgetMs(at10k: number, users: number): number {
  const perUser = (at10k - STARTUP_ALLOWANCE_MS) / GOAL_USERS;
  return STARTUP_ALLOWANCE_MS + perUser * users;
}

const MB = 1024 * 1024;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number): string => `${(b / MB).toFixed(0)} MB`;
const x = (v: number | null | undefined): string => (v === null || v === undefined ? 'not measured' : `${v.toFixed(2)}×`);

function byId(scenarios: readonly ScenarioResult[], id: ScenarioResult['id'], scope?: ScenarioResult['scope']): ScenarioResult | undefined {
  return scenarios.find((r) => r.id === id && (scope === undefined || r.scope === scope));
}

export function memoryRatio(scenarios: readonly ScenarioResult[]): number | null {
  const full = byId(scenarios, 'report')?.peakRss;
  const quarter = byId(scenarios, 'report-quarter')?.peakRss;
  return full && quarter ? full / quarter : null;
}

function latencyGoals(scenarios: readonly ScenarioResult[], latencyMs: number): Goal[] {
  const goals: Goal[] = [];
  const at = `${latencyMs} ms`;
  for (const id of ['reconcile-first', 'reconcile-rerun'] as const) {
    const r = byId(scenarios, id, 'app');
    if (!r) continue;
    const ratio = r.speed?.ratioToFloor ?? null;
    goals.push({
      name: `${id} (app scope, ${at}): wall vs request floor`,
      target: `≤ ${FLOOR_RATIO_LIMIT}× (floor ${r.speed ? s(r.speed.floorMs) : '?'})`,
      measured: x(ratio),
      met: ratio !== null && ratio <= FLOOR_RATIO_LIMIT,
    });
    const want = id === 'reconcile-first' ? SPEEDUP_GOALS.appFirst : SPEEDUP_GOALS.appRerun;
    const speedup = r.speed?.speedupVsSerial ?? null;
    goals.push({ name: `${id} (app scope, ${at}): faster than the serial script`, target: `≥ ${want}×`, measured: x(speedup), met: speedup === null ? null : speedup >= want });
    const ops = r.traffic.graphOperations;
    goals.push({
      name: `${id} (app scope, ${at}): answers 429`,
      target: `≤ ${THROTTLED_SHARE_LIMIT * 100}% of Graph operations`,
      measured: `${r.traffic.status429} of ${ops} (${ops > 0 ? ((100 * r.traffic.status429) / ops).toFixed(2) : '0'}%)`,
      met: r.traffic.status429 <= THROTTLED_SHARE_LIMIT * ops,
    });
  }
  const m = byId(scenarios, 'reconcile-first', 'mailbox');
  if (m) {
    const speedup = m.speed?.speedupVsSerial ?? null;
    goals.push({
      name: `reconcile-first (mailbox scope, ${at}): faster than the serial script`,
      target: `≥ ${SPEEDUP_GOALS.mailboxFirst}× (stated for 10,000 users)`,
      measured: x(speedup),
      met: speedup === null ? null : speedup >= SPEEDUP_GOALS.mailboxFirst,
    });
  }
  return goals;
}

export function evaluateGoals(scenarios: readonly ScenarioResult[], users: number, latencyMs = 0): Goal[] {
  const goals: Goal[] = [];
  const n = users.toLocaleString('en-US');
  if (latencyMs === 0) {
    for (const id of ['report', 'reconcile-first', 'reconcile-rerun'] as const) {
      const sc = byId(scenarios, id);
      if (!sc) continue;
      const budget = timeBudgetMs(TIME_GOALS_AT_10K[id], users);
      goals.push({
        name: `${id}${sc.scope ? ` (${sc.scope} scope)` : ''}: wall clock at ${n} users`,
        target: `< ${s(budget)} (${s(TIME_GOALS_AT_10K[id])} at 10,000)`,
        measured: s(sc.wallMs),
        met: sc.wallMs < budget,
      });
    }
  } else {
    goals.push(...latencyGoals(scenarios, latencyMs));
  }
  for (const rerun of scenarios.filter((r) => r.id === 'reconcile-rerun')) {
    goals.push({
      name: `no-change rerun${rerun.scope ? ` (${rerun.scope} scope)` : ''}: no photo downloads, no cloud writes`,
      target: '0 downloads, 0 writes',
      measured: `${rerun.traffic.photoDownloads} downloads, ${rerun.traffic.photoWriteAttempts} write requests, ${rerun.cloudWrites} cloud writes`,
      met: rerun.traffic.photoDownloads === 0 && rerun.traffic.photoWriteAttempts === 0 && rerun.cloudWrites === 0,
    });
  }
  const tool = scenarios.filter((r) => r.id !== 'startup' && r.id !== 'serial-baseline');
  const peak = Math.max(0, ...tool.map((r) => r.peakRss ?? 0));
  goals.push({ name: `peak RSS of any run at ${n} users`, target: `≤ ${mb(RSS_LIMIT_BYTES)}`, measured: peak > 0 ? mb(peak) : 'not measured', met: peak > 0 && peak <= RSS_LIMIT_BYTES });
  const ratio = memoryRatio(scenarios);
  if (byId(scenarios, 'report')) {
    goals.push({ name: `peak RSS of report at N vs N/4`, target: `≤ ${RSS_RATIO_LIMIT}×`, measured: ratio === null ? 'not measured' : `${ratio.toFixed(2)}×`, met: ratio !== null && ratio <= RSS_RATIO_LIMIT });
  }
  const app = tool.filter((r) => r.scope === 'app');
  const throttled = app.reduce((a, r) => a + r.traffic.status429, 0);
  const ops = app.reduce((a, r) => a + r.traffic.graphOperations, 0);
  goals.push({
    name: '429s under the app scope, all runs (the budget settles at 4)',
    target: `≤ ${THROTTLED_SHARE_LIMIT * 100}% of Graph operations`,
    measured: `${throttled} of ${ops}`,
    met: throttled <= THROTTLED_SHARE_LIMIT * ops,
  });
  return goals;
}

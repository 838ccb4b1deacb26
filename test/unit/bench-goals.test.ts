import assert from 'node:assert/strict';
import { evaluateGoals, memoryRatio, RSS_LIMIT_BYTES, TIME_GOALS_AT_10K, timeBudgetMs } from '../../bench/goals.js';
import { markdownTable, textTable } from '../../bench/render.js';
import type { ScenarioResult } from '../../bench/result.js';
import { emptyTraffic } from '../../bench/traffic.js';

const MB = 1024 * 1024;

function scenario(id: ScenarioResult['id'], over: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    id, title: id, users: 10_000, command: '', exitCode: 0, wallMs: 1000, startupMs: 500, usersPerSecond: 10_000,
    peakRss: 200 * MB, peakHeapUsed: 50 * MB, cpuMs: 900, emulatorCpuMs: 100, otherCpuMs: 0, traffic: emptyTraffic(), cloudWrites: 0, memoryTimeline: [], checks: [],
    ...over,
  };
}

function all(over: Partial<Record<ScenarioResult['id'], Partial<ScenarioResult>>> = {}): ScenarioResult[] {
  return (['report', 'reconcile-first', 'reconcile-rerun', 'report-quarter'] as const).map((id) => scenario(id, { scope: 'app', ...over[id] }));
}

describe('bench/goals', () => {
  it('states time budgets at 10,000 users and scales them per user above a start-up allowance', () => {
    assert.equal(timeBudgetMs(TIME_GOALS_AT_10K['reconcile-rerun'], 10_000), 8_000);
    // 5 s start-up allowance + (60 s − 5 s) / 10,000 per user.
    assert.equal(timeBudgetMs(60_000, 2_000), 5_000 + 2_000 * 5.5);
    assert.equal(timeBudgetMs(60_000, 0), 5_000);
  });

  it('meets every goal for a run within budget', () => {
    const goals = evaluateGoals(all({ 'report-quarter': { peakRss: 180 * MB, users: 2500 } }), 10_000);
    assert.ok(goals.length >= 7);
    assert.deepEqual(goals.filter((g) => !g.met).map((g) => g.name), []);
  });

  it('fails the no-change goal on a single download or write', () => {
    const rerunDownload = { ...emptyTraffic(), photoDownloads: 1 };
    const byDownload = evaluateGoals(all({ 'reconcile-rerun': { traffic: rerunDownload } }), 10_000);
    assert.equal(byDownload.find((g) => g.name.startsWith('no-change'))?.met, false);
    const byWrite = evaluateGoals(all({ 'reconcile-rerun': { cloudWrites: 1 } }), 10_000);
    assert.equal(byWrite.find((g) => g.name.startsWith('no-change'))?.met, false);
  });

  it('fails the memory goals when RSS is too high or grows with N', () => {
    const high = evaluateGoals(all({ 'reconcile-first': { peakRss: RSS_LIMIT_BYTES + 1 } }), 10_000);
    assert.equal(high.find((g) => g.name.startsWith('peak RSS of any'))?.met, false);
    const growing = all({ report: { peakRss: 240 * MB }, 'report-quarter': { peakRss: 60 * MB } });
    assert.equal(memoryRatio(growing), 4);
    assert.equal(evaluateGoals(growing, 10_000).find((g) => g.name.includes('N vs N/4'))?.met, false);
  });

  it('under emulated latency judges ratios to the request floor and to the serial script, not wall budgets', () => {
    const speed = (ratioToFloor: number, speedupVsSerial: number) => ({ units: 1000, allowedInFlight: 4, floorMs: 5000, ratioToFloor, speedupVsSerial });
    const goals = evaluateGoals(
      [
        ...all({ report: { wallMs: 500_000 }, 'reconcile-first': { speed: speed(1.2, 2.5) }, 'reconcile-rerun': { speed: speed(1.5, 3.2) } }),
        scenario('reconcile-first', { scope: 'mailbox', speed: { ...speed(3, 9), allowedInFlight: 16 } }),
      ],
      10_000,
      20,
    );
    assert.equal(goals.find((g) => g.name.startsWith('report:')), undefined);
    const met = (prefix: string) => goals.find((g) => g.name.startsWith(prefix))?.met;
    assert.equal(met('reconcile-first (app scope, 20 ms): wall vs request floor'), true);
    assert.equal(met('reconcile-first (app scope, 20 ms): faster'), true);
    assert.equal(met('reconcile-rerun (app scope, 20 ms): wall vs request floor'), false);
    assert.equal(met('reconcile-rerun (app scope, 20 ms): faster'), true);
    assert.equal(met('reconcile-first (mailbox scope, 20 ms): faster'), false);
    assert.equal(met('no-change rerun'), true, 'the no-change goal is judged whatever the latency');
  });

  it('fails a time goal past its budget and counts 429s across scenarios', () => {
    const slow = evaluateGoals(all({ report: { wallMs: 121_000 }, 'reconcile-first': { traffic: { ...emptyTraffic(), status429: 3 } } }), 10_000);
    assert.equal(slow.find((g) => g.name.startsWith('report (app scope): wall'))?.met, false);
    const throttled = slow.find((g) => g.name.startsWith('429s'));
    assert.equal(throttled?.measured, '3 of 0');
    assert.equal(throttled?.met, false);
    const fine = evaluateGoals(all({ 'reconcile-first': { traffic: { ...emptyTraffic(), status429: 3, graphOperations: 1000 } } }), 10_000);
    assert.equal(fine.find((g) => g.name.startsWith('429s'))?.met, true, '3 of 1,000 is under 1%');
  });
});

describe('bench/render', () => {
  it('aligns text columns and escapes Markdown pipes', () => {
    const t = textTable(['a', 'bb'], [['x', '1'], ['yyy', '22']]).split('\n');
    assert.equal(new Set(t.map((l) => l.length)).size, 1, 'every line has the same width');
    assert.match(markdownTable(['h'], [['a|b']]), /a\\\|b/);
  });
});

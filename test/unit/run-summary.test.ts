import assert from 'node:assert/strict';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';
import { decide, type Decision, type PlanOptions } from '../../src/sync/decide/plan.js';
import { buildPlan } from '../../src/sync/decide/thresholds.js';
import { runSummary, type RunResult } from '../../src/report/run-summary.js';
import { renderRunText } from '../../src/report/run-text.js';
import type { UserState } from '../../src/state/store.js';

function user(n: number, p: Partial<ClassifiedUser>): ClassifiedUser {
  return {
    upn: `u${n}@corp`, dn: `CN=u${n}`, objectGuid: `g${n}`, immutableId: `i${n}`, sAMAccountName: `u${n}`, displayName: null, cloudId: `c${n}`,
    matchedBy: 'immutableId', status: 'in-sync', reason: 'same picture', distance: 0, route: 'graph', routeWhy: '',
    sourceOrigin: 'thumbnailPhoto', sourceSha256: `src-${n}`, sourcePhash: 'p', cloudEtag: 'etag-now', cloudPhash: 'q', ...p,
  };
}
const OPTS: PlanOptions = { cloudChangedPolicy: 'report', allowDelete: false, reload: false, cloudWritesAllowed: true };
/** A user we pushed to, whose cloud photo someone else replaced since (same source, new etag). */
const pushedBefore = (n: number): UserState => ({ objectGuid: `g${n}`, attempts: 0, updatedAt: new Date(0), sourceSha256: `src-${n}`, cloudEtagAfterPush: 'etag-ours' });

function result(decisions: Decision[]): RunResult {
  return {
    runId: 'RUN1', mode: 'full', dryRun: true, policy: { source: 'cloud', allowsCloudWrites: true, detail: 'cloud' },
    plan: buildPlan(decisions, { deleteThreshold: 500, changeThreshold: 1000, changeThresholdPercent: 100, percentFloor: 20 }),
    errors: decisions.filter((d) => d.status === 'error').length,
  };
}

describe('run summary', () => {
  const set = decide(user(1, { status: 'missing-in-cloud', cloudEtag: null }), undefined, OPTS);
  const unreadable = decide(user(2, { status: 'error', reason: 'directory: objectGUID is 3 bytes, expected 16' }), undefined, OPTS);
  const conflict = decide(user(3, { status: 'drifted', reason: 'cloud photo differs' }), pushedBefore(3), OPTS);
  const kept = decide(user(4, { status: 'drifted', reason: 'cloud photo differs' }), pushedBefore(4), { ...OPTS, cloudChangedPolicy: 'keep' });
  const unmatched = decide(user(5, { status: 'unmatched', cloudId: null, reason: 'no cloud user found' }), undefined, OPTS);

  it('lists unreadable users and cloud-changed conflicts (policy report) for attention; not what policy keep decided', () => {
    const s = runSummary(result([set, unreadable, conflict, kept, unmatched]), 1);
    assert.equal(s.command, 'reconcile');
    assert.deepEqual(s.actions.map((a) => [a.upn, a.action, a.result]), [['u1@corp', 'set', 'planned']]);
    assert.deepEqual(s.attention.map((a) => [a.upn, a.kind]), [['u2@corp', 'error'], ['u3@corp', 'cloud-changed']]);
    assert.equal(s.summary.cloudChanged, 1);
    const text = renderRunText(s);
    assert.match(text, /^Reconcile plan \(dry run, nothing written\): run RUN1, full read, 5 users looked at, 4 matched$/m);
    assert.match(text, /^Needs attention \(2, not written\):\n {2}error +u2@corp {2}directory: objectGUID is 3 bytes, expected 16\n {2}cloud changed u3@corp {2}cloud photo changed since our push .*policy report/m);
    assert.match(text, /1 unreadable, 1 changed in the cloud by someone else \(left as they are\); nothing written\.$/m);
  });

  it('a fix shows its one user with the reason, even when there is nothing to do', () => {
    const s = runSummary(result([unmatched]), 0, { command: 'fix' });
    assert.deepEqual(s.actions.map((a) => [a.upn, a.action, a.result, a.reason]), [['u5@corp', 'skip', 'skipped', 'no cloud user found']]);
    const text = renderRunText(s);
    assert.match(text, /^Fix plan \(dry run, nothing written\): run RUN1, full read, 1 user looked at, 0 matched$/m);
    assert.match(text, /skip +u5@corp {2}\[graph\] no cloud user found → skipped/);
    assert.doesNotMatch(text, /Needs attention/);
  });

  it('says so when the tenant photo policy could not be read (writes assumed allowed)', () => {
    const r = { ...result([set]), policy: { source: 'unknown' as const, allowsCloudWrites: true, detail: 'Photo update settings unreadable (HTTP 403).' } };
    assert.match(renderRunText(runSummary(r, 0)), /^ {2}tenant policy: Photo update settings unreadable \(HTTP 403\)\.$/m);
    assert.doesNotMatch(renderRunText(runSummary(result([set]), 0)), /tenant policy/);
  });

  it('caps the attention list in text and points at the JSON, which keeps all', () => {
    const many = Array.from({ length: 25 }, (_, i) => decide(user(100 + i, { status: 'error', reason: `bad ${i}` }), undefined, OPTS));
    const s = runSummary(result(many), 1);
    assert.equal(s.attention.length, 25);
    const text = renderRunText(s);
    assert.equal(text.split('\n').filter((l) => /^ {2}error /.test(l)).length, 20);
    assert.match(text, /… and 5 more \(--output json lists all\)/);
  });
});

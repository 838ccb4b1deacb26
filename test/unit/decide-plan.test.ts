import assert from 'node:assert/strict';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';
import { decide, type Decision, type PlanOptions } from '../../src/sync/decide/plan.js';
import { buildPlan, type Thresholds } from '../../src/sync/decide/thresholds.js';
import type { UserState } from '../../src/state/store.js';

function user(p: Partial<ClassifiedUser>): ClassifiedUser {
  return {
    upn: 'ada@corp', dn: 'CN=Ada', objectGuid: 'g1', immutableId: 'i1', sAMAccountName: 'ada', displayName: null, cloudId: 'c1',
    matchedBy: 'immutableId', status: 'in-sync', reason: 'same picture', distance: 0, route: 'graph', routeWhy: '',
    sourceOrigin: 'thumbnailPhoto', sourceSha256: 'src-2', sourcePhash: 'p', cloudEtag: 'etag-now', cloudPhash: 'q', ...p,
  };
}
function state(p: Partial<UserState>): UserState {
  return { objectGuid: 'g1', attempts: 0, updatedAt: new Date(0), ...p };
}
const OPTS: PlanOptions = { cloudChangedPolicy: 'report', allowDelete: false, reload: false, cloudWritesAllowed: true };

describe('reconcile/plan decide', () => {
  it('sets missing cloud photos and drifted ones without state', () => {
    assert.equal(decide(user({ status: 'missing-in-cloud' }), undefined, OPTS).action, 'set');
    assert.equal(decide(user({ status: 'drifted' }), undefined, OPTS).action, 'set');
  });

  it('skips in-sync, unmatched and error users with their reason', () => {
    const d = decide(user({ status: 'unmatched', reason: 'no cloud user found' }), undefined, OPTS);
    assert.deepEqual([d.action, d.reason], ['skip', 'no cloud user found']);
    assert.equal(decide(user({}), undefined, OPTS).action, 'skip');
    assert.equal(decide(user({ status: 'error' }), undefined, OPTS).action, 'skip');
  });

  it('pushes again when the source changed since our push, even if the cloud etag moved', () => {
    const s = state({ sourceSha256: 'src-1', cloudEtagAfterPush: 'etag-old' });
    const d = decide(user({ status: 'drifted' }), s, OPTS);
    assert.equal(d.action, 'set');
    assert.match(d.reason, /source photo changed/);
  });

  it('the loop rule: a full-size push replaced by a small copy of the same picture is reported, not pushed again', () => {
    const pushed = state({ sourceSha256: 'src-2', pushedSha256: 'up-1', cloudEtagAfterPush: 'etag-old' });
    const back = user({ status: 'drifted', undersized: true, reason: 'same picture as thumbnailPhoto, but the cloud holds 96×96, the source gives 648×648' });
    for (const policy of ['overwrite', 'keep', 'report'] as const) {
      const d = decide(back, pushed, { ...OPTS, cloudChangedPolicy: policy });
      assert.deepEqual([d.action, d.overwrittenBySync, d.conflict], ['skip', true, undefined], policy);
      assert.match(d.reason, /^overwritten by directory sync: .*96×96.* again since our full-size push \(etag etag-old → etag-now\); put the full photo into AD's thumbnailPhoto too \(a JPEG within 100 KB\)/);
    }
    // Pushed again when the source changes, or with --reload.
    assert.equal(decide(back, { ...pushed, sourceSha256: 'src-1' }, OPTS).action, 'set');
    assert.equal(decide(back, pushed, { ...OPTS, reload: true }).action, 'set');
    // A first fix: never pushed by us, or the cloud still at the etag of our push → pushed.
    assert.equal(decide(back, undefined, OPTS).action, 'set');
    assert.equal(decide(back, { ...pushed, cloudEtagAfterPush: 'etag-now' }, OPTS).action, 'set');
    // Someone put a different picture there: the cloud-changed policy, as before.
    assert.equal(decide(user({ status: 'drifted' }), pushed, OPTS).conflict, true);
  });

  it('an in-sync cloud photo replaced since our push by a copy of the same picture is reported, not written', () => {
    const pushed = state({ sourceSha256: 'src-2', pushedSha256: 'up-1', cloudEtagAfterPush: 'etag-old' });
    const d = decide(user({}), pushed, OPTS);
    assert.deepEqual([d.action, d.status, d.replacedBySamePicture], ['skip', 'in-sync', true]);
    assert.match(d.reason, /^same picture; the cloud photo was replaced since our push \(etag etag-old → etag-now\) by a copy of the same picture/);
    assert.equal(decide(user({}), { ...pushed, cloudEtagAfterPush: 'etag-now' }, OPTS).replacedBySamePicture, undefined, 'unchanged etag');
    assert.equal(decide(user({}), { ...pushed, sourceSha256: 'src-1' }, OPTS).replacedBySamePicture, undefined, 'our side moved');
    assert.equal(decide(user({}), undefined, OPTS).replacedBySamePicture, undefined, 'never pushed');
  });

  it('applies the cloud-changed policy when only the cloud moved', () => {
    const s = state({ sourceSha256: 'src-2', cloudEtagAfterPush: 'etag-old' });
    const drifted = user({ status: 'drifted' });
    const report = decide(drifted, s, OPTS);
    assert.deepEqual([report.action, report.status], ['skip', 'drifted']);
    assert.match(report.reason, /changed since our push.*policy report/);
    assert.equal(report.conflict, true, 'policy report leaves it to a person');
    const keep = decide(drifted, s, { ...OPTS, cloudChangedPolicy: 'keep' });
    assert.deepEqual([keep.action, keep.status, keep.conflict], ['skip', 'in-sync', undefined]);
    assert.equal(decide(drifted, s, { ...OPTS, cloudChangedPolicy: 'overwrite' }).action, 'set');
  });

  it('deletes only photos it put there, and only when allowed', () => {
    const cleared = user({ status: 'missing-in-source', sourceSha256: null });
    assert.match(decide(cleared, undefined, { ...OPTS, allowDelete: true }).reason, /not put there by this tool/);
    const ours = state({ sourceSha256: 'src-1', pushedSha256: 'jpg-1', cloudId: 'c1' });
    assert.equal(decide(cleared, ours, OPTS).action, 'skip');
    assert.equal(decide(cleared, ours, { ...OPTS, allowDelete: true }).action, 'delete');
    // Pushed while matched to a cloud user the state no longer names (unmatched since): not known to be ours.
    const unanchored = decide(cleared, { ...ours, cloudId: undefined }, { ...OPTS, allowDelete: true, cloudChangedPolicy: 'overwrite' });
    assert.deepEqual([unanchored.action, /ties our last push to no cloud user/.test(unanchored.reason)], ['skip', true]);
  });

  it('leaves a cloud photo alone that changed since our push, unless the policy is overwrite', () => {
    const cleared = user({ status: 'missing-in-source', sourceSha256: null, cloudEtag: 'etag-theirs' });
    const ours = state({ sourceSha256: 'src-1', pushedSha256: 'jpg-1', cloudEtagAfterPush: 'etag-ours', cloudId: 'c1' });
    const allow = { ...OPTS, allowDelete: true };
    const report = decide(cleared, ours, allow);
    assert.deepEqual([report.action, /changed since our push.*policy report/.test(report.reason), report.conflict], ['skip', true, true]);
    assert.equal(decide(cleared, ours, { ...allow, cloudChangedPolicy: 'keep' }).action, 'skip');
    assert.equal(decide(cleared, ours, { ...allow, cloudChangedPolicy: 'overwrite' }).action, 'delete');
    assert.equal(decide(user({ status: 'missing-in-source', sourceSha256: null, cloudEtag: 'etag-ours' }), ours, allow).action, 'delete');
  });

  it('does not delete the photo of a cloud user other than the one it pushed to', () => {
    const cleared = user({ status: 'missing-in-source', sourceSha256: null, cloudId: 'c2' });
    const d = decide(cleared, state({ sourceSha256: 'src-1', pushedSha256: 'jpg-1', cloudId: 'c1' }), { ...OPTS, allowDelete: true });
    assert.deepEqual([d.action, /another cloud user \(c1\)/.test(d.reason)], ['skip', true]);
  });

  it('does not delete again after its delete: the state no longer claims a photo', async () => {
    const { applyPush } = await import('../../src/state/user-record.js');
    const before = state({ sourceSha256: 'src-1', sourcePhash: 'p1', pushedSha256: 'jpg-1', cloudEtagAfterPush: 'e1' });
    const after = applyPush(before, { objectGuid: 'g1', runId: 'r', action: 'delete' }, new Date(1));
    assert.deepEqual([after.sourceSha256, after.pushedSha256, after.cloudEtagAfterPush], [undefined, undefined, undefined]);
    // Someone sets a new cloud photo later: not ours.
    const d = decide(user({ status: 'missing-in-source', sourceSha256: null, cloudEtag: 'e2' }), after, { ...OPTS, allowDelete: true });
    assert.match(d.reason, /not put there by this tool/);
  });

  it('counts an Exchange-route set over a photo it set before as an overwrite', () => {
    const exo = user({ status: 'missing-in-cloud', route: 'exchange-onprem', sourceSha256: 'src-2' });
    const first = decide(exo, undefined, OPTS);
    const again = decide(exo, state({ route: 'exchange-onprem', sourceSha256: 'src-1', pushedSha256: 'jpg-1', lastAction: 'set', lastResult: 'ok' }), OPTS);
    assert.deepEqual([first.action, first.replaces, again.action, again.replaces], ['set', false, 'set', true]);
    const plan = buildPlan([first, again], { deleteThreshold: 10, changeThreshold: 10, changeThresholdPercent: 100, percentFloor: 20 });
    assert.equal(plan.summary.overwrite, 1);
  });

  it('blocks Graph writes when the tenant refuses them, but not Exchange routes', () => {
    const opts = { ...OPTS, cloudWritesAllowed: false, cloudWritesBlockedWhy: 'photoUpdateSettings.source is onPremises' };
    const g = decide(user({ status: 'missing-in-cloud' }), undefined, opts);
    assert.deepEqual([g.action, g.status], ['skip', 'blocked']);
    assert.match(g.reason, /onPremises/);
    assert.equal(decide(user({ status: 'missing-in-cloud', route: 'exchange-onprem' }), undefined, opts).action, 'set');
  });

  it('reload pushes in-sync users that have a source photo', () => {
    assert.equal(decide(user({}), undefined, { ...OPTS, reload: true }).action, 'set');
    assert.equal(decide(user({ sourceSha256: null }), undefined, { ...OPTS, reload: true }).action, 'skip');
  });

  it('does not push again through Exchange what was already pushed there from the same source', () => {
    const pushed = state({ lastAction: 'set', lastResult: 'ok', route: 'exchange-onprem', sourceSha256: 'src-2', pushedSha256: 'jpg-2' });
    const onprem = user({ status: 'missing-in-cloud', route: 'exchange-onprem' });
    const again = decide(onprem, pushed, OPTS);
    assert.deepEqual([again.action, again.status], ['skip', 'in-sync']);
    assert.match(again.reason, /already set through exchange-onprem/);
    assert.equal(decide(onprem, { ...pushed, sourceSha256: 'src-1' }, OPTS).action, 'set', 'a new source photo goes out');
    assert.equal(decide(user({ status: 'missing-in-cloud' }), { ...pushed, route: 'graph' }, OPTS).action, 'set', 'Graph is judged by what Graph shows');
    assert.equal(decide(onprem, pushed, { ...OPTS, reload: true }).action, 'set');
    // Waiting one run for a cloud account (or a failed attempt since) does not make it forget the push.
    const waited = { ...pushed, lastAction: 'skip' as const, lastResult: 'error' as const, lastError: 'no cloud user found', deferred: 'waiting' as const };
    assert.equal(decide(onprem, waited, OPTS).action, 'skip');
  });

  it('a user that waited for its cloud account or the tenant policy is not a retry', () => {
    const d = decide(user({ status: 'missing-in-cloud' }), state({ lastResult: 'error', lastError: 'no cloud user found (tried …)', deferred: 'waiting' }), OPTS);
    assert.deepEqual([d.action, d.retry, d.reason], ['set', false, 'cloud has no photo']);
    assert.equal(decide(user({ status: 'missing-in-cloud' }), state({ lastResult: 'error', lastError: 'Forbidden 403' }), OPTS).retry, true);
  });

  it('marks users that failed last time as retries', () => {
    const d = decide(user({ status: 'missing-in-cloud' }), state({ lastResult: 'error', lastError: '503' }), OPTS);
    assert.equal(d.retry, true);
    assert.match(d.reason, /retrying after: 503/);
  });
});

describe('reconcile/plan thresholds', () => {
  const T: Thresholds = { deleteThreshold: 2, changeThreshold: 5, changeThresholdPercent: 50, percentFloor: 4 };
  const mk = (n: number, p: Partial<ClassifiedUser>, action: Decision['action']): Decision[] =>
    Array.from({ length: n }, (_, i) => ({ user: user({ objectGuid: `g${i}`, ...p }), status: p.status ?? 'in-sync', action, reason: '', route: 'graph', retry: false }));

  it('never refuses filling in missing cloud photos', () => {
    const plan = buildPlan(mk(100, { status: 'missing-in-cloud' }, 'set'), T);
    assert.equal(plan.refusal, undefined);
    assert.equal(plan.summary.set, 100);
    assert.equal(plan.summary.overwrite, 0);
  });

  it('refuses too many deletes', () => {
    const plan = buildPlan([...mk(3, { status: 'missing-in-source' }, 'delete'), ...mk(20, {}, 'skip')], T);
    assert.match(plan.refusal ?? '', /3 deletes exceed the delete threshold of 2/);
  });

  it('refuses too many overwrites by count and by percentage', () => {
    assert.match(buildPlan([...mk(6, { status: 'drifted' }, 'set'), ...mk(20, {}, 'skip')], T).refusal ?? '', /6 overwrites and deletes exceed/);
    assert.match(buildPlan([...mk(3, { status: 'drifted' }, 'set'), ...mk(2, {}, 'skip')], T).refusal ?? '', /60\.0% of 5 matched/);
    assert.equal(buildPlan([...mk(2, { status: 'drifted' }, 'set'), ...mk(3, {}, 'skip')], T).refusal, undefined);
  });

  it('takes the percentage of the known population when an incremental run sees only changed users', () => {
    const changed = mk(5, { status: 'drifted' }, 'set');
    assert.match(buildPlan(changed, T).refusal ?? '', /100\.0% of 5 matched/);
    assert.equal(buildPlan(changed, { ...T, population: 20 }).refusal, undefined);
    assert.match(buildPlan(changed, { ...T, population: 8 }).refusal ?? '', /62\.5% of 8 matched/);
  });
});

import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/state/audit.js';
import { openMemoryStore } from '../../src/state/index.js';
import { createRecorder } from '../../src/sync/apply/record.js';
import { decide, type Decision, type PlanOptions } from '../../src/sync/decide/plan.js';
import { classified } from '../support/fakes.js';

const OPTS: PlanOptions = { cloudChangedPolicy: 'report', allowDelete: false, reload: false, cloudWritesAllowed: true };
const NONE = { contested: new Map<string, string>(), full: false, vanished: [] };

function setup() {
  const state = openMemoryStore();
  const audit: AuditEvent[] = [];
  const recorder = createRecorder({ state, runId: 'run1', audit: { path: '', write: (e) => audit.push(e), close: () => {} } });
  return { state, audit, recorder };
}

describe('the recorder (every state and audit write of a run)', () => {
  it('remembers what the run saw: the claim, an in-sync photo as ours, the cloud etag and fingerprint', () => {
    const { state, recorder } = setup();
    const u = classified(1);
    recorder.seen([decide(u, undefined, OPTS)], NONE);
    const s = state.getUser(u.objectGuid);
    assert.deepEqual([s?.cloudId, s?.dn, s?.route, s?.sourceSha256, s?.cloudEtagAfterPush, s?.lastCloudEtagSeen, s?.cloudPhash], ['c1', 'CN=u1', 'graph', 'src-1', 'etag-now', 'etag-now', 'q']);
    assert.equal(s?.lastResult, undefined);
  });

  it('keeps deferral in its own field: waiting for a cloud account, blocked by the policy; neither counts an attempt', () => {
    const { state, recorder } = setup();
    const waiting = decide(classified(1, { status: 'unmatched', cloudId: null, reason: 'no cloud user found' }), undefined, OPTS);
    const blocked = decide(classified(2, { status: 'missing-in-cloud' }), undefined, { ...OPTS, cloudWritesAllowed: false, cloudWritesBlockedWhy: 'photos are managed on-premises' });
    recorder.seen([waiting, blocked], NONE);
    const [w, b] = [waiting, blocked].map((d) => state.getUser(d.user.objectGuid));
    assert.deepEqual([w?.lastResult, w?.deferred, w?.lastError, w?.attempts], ['error', 'waiting', 'no cloud user found', 0]);
    assert.deepEqual([b?.lastResult, b?.deferred, b?.attempts], ['error', 'blocked', 0]);
    assert.match(b?.lastError ?? '', /^set needed .* photos are managed on-premises$/);
    assert.equal(state.usersWithPendingErrors().length, 2);
  });

  it('records an unreadable user as a failure and settles a pending user that needs nothing now', () => {
    const { state, recorder } = setup();
    const bad = classified(1, { status: 'error', reason: 'directory: bad objectGUID' });
    const fine = classified(2);
    state.recordFailure({ objectGuid: fine.objectGuid, runId: 'r0', error: '503' });
    recorder.seen([decide(bad, undefined, OPTS), decide(fine, undefined, OPTS)], NONE);
    assert.deepEqual([state.getUser(bad.objectGuid)?.lastError, state.getUser(bad.objectGuid)?.attempts], ['directory: bad objectGUID', 1]);
    assert.deepEqual([state.getUser(fine.objectGuid)?.lastResult, state.getUser(fine.objectGuid)?.attempts], [undefined, 0]);
    recorder.seen([decide(classified(3, { objectGuid: '', status: 'error' }), undefined, OPTS)], NONE);
    assert.equal([...state.allUsers()].length, 2, 'a user without a key is not remembered');
  });

  it('keeps a tie party\'s claim, and after a full read frees users the directory no longer yields', () => {
    const { state, recorder } = setup();
    const tied = classified(1, { status: 'unmatched', cloudId: null, sourceSha256: null });
    const gone = '99999999-0000-0000-0000-000000000000';
    state.upsertUser({ objectGuid: gone, cloudId: 'c9' });
    const vanished = '88888888-0000-0000-0000-000000000000';
    state.recordFailure({ objectGuid: vanished, runId: 'r0', error: 'x', cloudId: 'c8' });
    recorder.seen([decide(tied, undefined, OPTS)], { contested: new Map([[tied.objectGuid, 'c7']]), full: false, vanished: [vanished] });
    assert.equal(state.getUser(tied.objectGuid)?.cloudId, 'c7');
    assert.deepEqual([state.getUser(vanished)?.cloudId, state.getUser(vanished)?.lastResult], [undefined, undefined]);
    assert.equal(state.getUser(gone)?.cloudId, 'c9', 'an incremental read does not know who is gone');
    const alsoGone = '77777777-0000-0000-0000-000000000000';
    state.upsertUser({ objectGuid: alsoGone, cloudId: 'c6' });
    recorder.seen([decide(tied, undefined, OPTS)], { ...NONE, full: true, holders: [gone] });
    assert.equal(state.getUser(gone)?.cloudId, undefined);
    assert.equal(state.getUser(alsoGone)?.cloudId, 'c6', 'the holders the caller took are the ones looked at');
    recorder.seen([decide(tied, undefined, OPTS)], { ...NONE, full: true });
    assert.equal(state.getUser(alsoGone)?.cloudId, undefined, 'without them, the state is read through');
  });

  it('records writes (state and audit), dry-run plans (audit only) and moves the mark', () => {
    const { state, audit, recorder } = setup();
    const d: Decision = decide(classified(1, { status: 'missing-in-cloud', cloudEtag: null }), undefined, OPTS);
    recorder.planned([d, decide(classified(2), undefined, OPTS)]);
    assert.deepEqual(audit.map((e) => [e.upn, e.action, e.result]), [['u1@corp', 'set', 'dry-run']]);
    assert.equal(state.getUser(d.user.objectGuid), undefined);
    recorder.batch(() => recorder.written(d, { key: d.user.objectGuid, ok: true, etag: 'e2' }, { sha256: 'pushed', phash: 'pp' }));
    const s = state.getUser(d.user.objectGuid);
    assert.deepEqual([s?.pushedSha256, s?.cloudEtagAfterPush, s?.cloudPhash, s?.cloudPhashEtag], ['pushed', 'e2', 'pp', 'e2']);
    recorder.written(d, { key: d.user.objectGuid, ok: false, status: 403, errorId: 'Forbidden', message: 'denied' });
    assert.deepEqual(audit.slice(1).map((e) => [e.result, e.error ?? null]), [['ok', null], ['error', 'Forbidden 403: denied']]);
    assert.equal(state.getUser(d.user.objectGuid)?.attempts, 1);
    recorder.finished('dir', undefined, new Date(1), true);
    assert.equal(state.getMark('dir'), undefined);
    recorder.finished('dir', { invocationId: 'inv', usn: 9n }, new Date(1), true);
    assert.deepEqual([state.getMark('dir')?.usn, state.lastFullRunAt('dir') !== undefined], [9n, true]);
  });
});

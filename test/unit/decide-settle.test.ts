import assert from 'node:assert/strict';
import { decide, type PlanOptions } from '../../src/sync/decide/plan.js';
import { settleClaims } from '../../src/sync/decide/settle.js';
import { classified } from '../support/fakes.js';

const OPTS: PlanOptions = { cloudChangedPolicy: 'report', allowDelete: false, reload: false, cloudWritesAllowed: true };

describe('settle claims over the decisions of a run', () => {
  it('keeps the decisions of undisputed users as they are (the same objects)', () => {
    const ds = [1, 2].map((n) => decide(classified(n, { status: 'missing-in-cloud' }), undefined, OPTS));
    const s = settleClaims(ds);
    assert.ok(s.decisions.every((d, i) => d === ds[i]));
    assert.equal(s.contested.size, 0);
  });

  it('turns the loser of a claim into an unmatched skip, without deciding it again', () => {
    const winner = decide(classified(1, { status: 'missing-in-cloud', cloudId: 'c9', matchedBy: 'immutableId' }), undefined, OPTS);
    const loser = decide(classified(2, { status: 'missing-in-cloud', cloudId: 'c9', matchedBy: 'mail' }), undefined, OPTS);
    assert.equal(loser.action, 'set', 'decided as a set while reading');
    const s = settleClaims([winner, loser]);
    assert.equal(s.decisions[0], winner);
    const d = s.decisions[1];
    assert.deepEqual([d?.action, d?.status, d?.retry, d?.user.cloudId], ['skip', 'unmatched', false, null]);
    assert.match(d?.reason ?? '', /belongs to CN=u1, matched by immutableId, a stronger key than mail/);
  });

  it('gives a tie to nobody and hands the parties on as contested, by folded objectGUID', () => {
    const a = decide(classified(1, { cloudId: 'c9', matchedBy: 'userPrincipalName', objectGuid: '{AAAAAAAA-0000-0000-0000-000000000001}' }), undefined, OPTS);
    const b = decide(classified(2, { cloudId: 'c9', matchedBy: 'userPrincipalName' }), undefined, OPTS);
    const s = settleClaims([a, b]);
    assert.deepEqual(s.decisions.map((d) => d.status), ['unmatched', 'unmatched']);
    assert.deepEqual([...s.contested.keys()], ['aaaaaaaa-0000-0000-0000-000000000001', b.user.objectGuid]);
  });

  it('respects a claim remembered for a user this run did not read', () => {
    const d = decide(classified(1, { status: 'missing-in-cloud', cloudId: 'c9' }), undefined, OPTS);
    const s = settleClaims([d], (id) => (id === 'c9' ? [{ objectGuid: 'someone-else', dn: 'CN=leaver' }] : []));
    assert.equal(s.decisions[0]?.action, 'skip');
    assert.match(s.decisions[0]?.reason ?? '', /matched to CN=leaver \(remembered from an earlier run\)/);
    assert.equal(settleClaims([d], () => [{ objectGuid: d.user.objectGuid.toUpperCase() }]).decisions[0], d, 'its own claim, however spelled');
  });
});

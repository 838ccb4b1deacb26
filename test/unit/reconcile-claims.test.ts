import assert from 'node:assert/strict';
import type { ClassifiedUser } from '../../src/reconcile/classify.js';
import { resolveClaims } from '../../src/reconcile/claims.js';

function user(p: Partial<ClassifiedUser>): ClassifiedUser {
  return {
    upn: null, dn: 'CN=x', objectGuid: 'g', immutableId: 'i', sAMAccountName: null, displayName: null, cloudId: 'c1',
    matchedBy: 'userPrincipalName', status: 'drifted', reason: 'differs', distance: 0.4, route: 'graph', routeWhy: '',
    sourceOrigin: 'thumbnailPhoto', sourceSha256: 's', sourcePhash: 'p', cloudEtag: 'e', cloudPhash: 'q', ...p,
  };
}

describe('reconcile/claims resolveClaims', () => {
  it('gives a cloud user to the strongest key whatever the reading order', () => {
    const byMail = user({ dn: 'CN=Mail', objectGuid: 'g1', matchedBy: 'mail' });
    const byUpn = user({ dn: 'CN=Upn', objectGuid: 'g2', matchedBy: 'userPrincipalName' });
    for (const order of [[byMail, byUpn], [byUpn, byMail]]) {
      const out = resolveClaims(order);
      const mail = out.find((u) => u.dn === 'CN=Mail') as ClassifiedUser;
      const upn = out.find((u) => u.dn === 'CN=Upn') as ClassifiedUser;
      assert.deepEqual([upn.status, upn.cloudId], ['drifted', 'c1']);
      assert.deepEqual([mail.status, mail.cloudId, mail.matchedBy], ['unmatched', null, null]);
      assert.match(mail.reason, /belongs to CN=Upn, matched by userPrincipalName, a stronger key than mail/);
    }
  });

  it('immutableId beats UPN', () => {
    const out = resolveClaims([user({ dn: 'CN=A', objectGuid: 'g1' }), user({ dn: 'CN=B', objectGuid: 'g2', matchedBy: 'immutableId' })]);
    assert.deepEqual(out.map((u) => u.status), ['unmatched', 'drifted']);
  });

  it('never guesses between equal keys: every claimant becomes unmatched', () => {
    const out = resolveClaims([user({ dn: 'CN=A', objectGuid: 'g1', matchedBy: 'mail' }), user({ dn: 'CN=B', objectGuid: 'g2', matchedBy: 'mail' }), user({ dn: 'CN=C', objectGuid: 'g3', cloudId: 'c2' })]);
    assert.deepEqual(out.map((u) => u.status), ['unmatched', 'unmatched', 'drifted']);
    assert.match(out[0]?.reason ?? '', /several on-prem users \(CN=A; CN=B\); not guessing/);
  });

  it('respects a claim the state remembers for a user this run did not read', () => {
    const remembered = (id: string) => (id === 'c1' ? { objectGuid: 'G-OLD', dn: 'CN=Old' } : undefined);
    const [lost] = resolveClaims([user({ objectGuid: 'g-new' })], remembered);
    assert.equal(lost?.status, 'unmatched');
    assert.match(lost?.reason ?? '', /matched to CN=Old \(remembered from an earlier run\)/);
    // The remembered holder is the user itself (case-insensitive GUIDs), or was read in this run: no conflict.
    assert.equal(resolveClaims([user({ objectGuid: 'g-old' })], remembered)[0]?.status, 'drifted');
    const both = resolveClaims([user({ objectGuid: 'g-new' }), user({ objectGuid: 'g-old', cloudId: 'c9' })], remembered);
    assert.deepEqual(both.map((u) => u.status), ['drifted', 'drifted']);
  });

  it('leaves unmatched users and single claims untouched', () => {
    const input = [user({ cloudId: null, matchedBy: null, status: 'unmatched' }), user({ objectGuid: 'g2', cloudId: 'c2' })];
    assert.deepEqual(resolveClaims(input), input);
  });
});

import assert from 'node:assert/strict';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';
import { resolveClaims } from '../../src/sync/decide/claims.js';
import { reportRow } from '../../src/usecases/report.js';

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
      const out = resolveClaims(order).users;
      const mail = out.find((u) => u.dn === 'CN=Mail') as ClassifiedUser;
      const upn = out.find((u) => u.dn === 'CN=Upn') as ClassifiedUser;
      assert.deepEqual([upn.status, upn.cloudId], ['drifted', 'c1']);
      assert.deepEqual([mail.status, mail.cloudId, mail.matchedBy], ['unmatched', null, null]);
      assert.match(mail.reason, /belongs to CN=Upn, matched by userPrincipalName, a stronger key than mail/);
    }
  });

  it('immutableId beats UPN', () => {
    const out = resolveClaims([user({ dn: 'CN=A', objectGuid: 'g1' }), user({ dn: 'CN=B', objectGuid: 'g2', matchedBy: 'immutableId' })]).users;
    assert.deepEqual(out.map((u) => u.status), ['unmatched', 'drifted']);
  });

  it('never guesses between equal keys: every claimant becomes unmatched', () => {
    const { users: out, contested } = resolveClaims([
      user({ dn: 'CN=A', objectGuid: 'G1', matchedBy: 'userPrincipalName' }),
      user({ dn: 'CN=B', objectGuid: 'g2', matchedBy: 'userPrincipalName' }),
      user({ dn: 'CN=M', objectGuid: 'g4', matchedBy: 'mail' }),
      user({ dn: 'CN=C', objectGuid: 'g3', cloudId: 'c2' }),
    ]);
    assert.deepEqual(out.map((u) => u.status), ['unmatched', 'unmatched', 'unmatched', 'drifted']);
    assert.match(out[0]?.reason ?? '', /matched by userPrincipalName to several on-prem users \(CN=A; CN=B\); not guessing/);
    assert.match(out[2]?.reason ?? '', /by userPrincipalName/, 'the tie is named by the key it is on');
    assert.deepEqual([...contested], [['g1', 'c1'], ['g2', 'c1']], 'the parties of the tie, to remember');
  });

  it('a tie remembered from a full run still holds when an incremental run reads one party', () => {
    const remembered = (id: string) => (id === 'c1' ? [{ objectGuid: 'g1', dn: 'CN=A' }, { objectGuid: 'g2', dn: 'CN=B' }] : []);
    const [a] = resolveClaims([user({ dn: 'CN=A', objectGuid: 'g1' })], remembered).users;
    assert.equal(a?.status, 'unmatched');
    assert.match(a?.reason ?? '', /matched to CN=B \(remembered/);
  });

  it('respects a claim the state remembers for a user this run did not read', () => {
    const remembered = (id: string) => (id === 'c1' ? [{ objectGuid: 'G-OLD', dn: 'CN=Old' }] : []);
    const [lost] = resolveClaims([user({ objectGuid: 'g-new' })], remembered).users;
    assert.equal(lost?.status, 'unmatched');
    assert.match(lost?.reason ?? '', /matched to CN=Old \(remembered from an earlier run\)/);
    // The remembered holder is the user itself (case-insensitive GUIDs), or was read in this run: no conflict.
    assert.equal(resolveClaims([user({ objectGuid: 'g-old' })], remembered).users[0]?.status, 'drifted');
    const both = resolveClaims([user({ objectGuid: 'g-new' }), user({ objectGuid: 'g-old', cloudId: 'c9' })], remembered).users;
    assert.deepEqual(both.map((u) => u.status), ['drifted', 'drifted']);
  });

  it('checks the winner of a contest in this run against the remembered owner too', () => {
    const remembered = (id: string) => (id === 'c1' ? [{ objectGuid: 'gz', dn: 'CN=Z' }] : []);
    const out = resolveClaims([user({ dn: 'CN=B1', objectGuid: 'b1' }), user({ dn: 'CN=B2', objectGuid: 'b2', matchedBy: 'mail' })], remembered).users;
    assert.deepEqual(out.map((u) => u.status), ['unmatched', 'unmatched']);
    assert.match(out[0]?.reason ?? '', /matched to CN=Z \(remembered/);
  });

  it('leaves unmatched users and single claims untouched', () => {
    const input = [user({ cloudId: null, matchedBy: null, status: 'unmatched' }), user({ objectGuid: 'g2', cloudId: 'c2' })];
    assert.deepEqual(resolveClaims(input).users, input);
  });
});

describe('report rows (usecases/report reportRow) and claims over them', () => {
  it('keeps only what the renderers show, and a lost claim on a row clears the match without adding cloud fields', () => {
    const full = user({ dn: 'CN=A', objectGuid: 'g1', blocks: [0.1, 0.2, 0.3, 0.4], sourcePrint: null, cloudPrint: null });
    const row = reportRow(full);
    assert.deepEqual(Object.keys(row).sort(), [
      'blocks', 'cloudId', 'displayName', 'distance', 'dn', 'matchedBy', 'objectGuid', 'reason', 'route', 'routeWhy', 'sAMAccountName', 'status', 'upn',
    ]);
    assert.equal('blocks' in reportRow(user({})), false, 'no blocks key for a user without them');
    const rival = reportRow(user({ dn: 'CN=B', objectGuid: 'g2', matchedBy: 'immutableId' }));
    const [lost, won] = resolveClaims([row, rival]).users;
    assert.deepEqual([lost?.status, lost?.cloudId, lost?.matchedBy, lost?.distance, won?.status], ['unmatched', null, null, null, 'drifted']);
    assert.equal('cloudEtag' in (lost ?? {}), false);
    // A classified user keeps its shape: the loser's cloud photo facts are cleared, not dropped.
    const [lostFull] = resolveClaims([full, user({ dn: 'CN=B', objectGuid: 'g2', matchedBy: 'immutableId' })]).users;
    assert.deepEqual([lostFull?.cloudEtag, lostFull?.cloudPhash], [null, null]);
  });
});

import assert from 'node:assert/strict';
import type { CloudUser, OnPremUser } from '../../src/model.js';
import { buildCloudIndex, matchUser } from '../../src/sync/decide/match.js';

const ORDER = ['immutableId', 'userPrincipalName', 'mail'] as const;

function onPrem(p: Partial<OnPremUser>): OnPremUser {
  return { dn: 'CN=x,DC=corp', objectGuid: '00000000-0000-0000-0000-000000000001', immutableId: 'AAAAAAAAAAAAAAAAAAAAAQ==', ...p };
}

describe('reconcile/match', () => {
  const cloud: CloudUser[] = [
    { id: 'c1', userPrincipalName: 'Ada@corp.example.com', mail: 'ada@corp.example.com', onPremisesImmutableId: 'IMM1' },
    { id: 'c2', userPrincipalName: 'bob@corp.onmicrosoft.com', mail: 'Bob@Corp.example.com' },
    { id: 'c3', userPrincipalName: 'dup1@x', mail: 'shared@corp.example.com' },
    { id: 'c4', userPrincipalName: 'dup2@x', mail: 'shared@corp.example.com' },
    { id: 'c5', userPrincipalName: 'carol@corp.example.com', onPremisesImmutableId: 'SOMEONE-ELSE' },
  ];
  const index = buildCloudIndex(cloud);

  it('prefers immutableId over UPN', () => {
    const r = matchUser(onPrem({ immutableId: 'IMM1', userPrincipalName: 'bob@corp.onmicrosoft.com' }), index, ORDER);
    assert.equal(r.kind, 'matched');
    assert.equal(r.kind === 'matched' && r.cloud.id, 'c1');
    assert.equal(r.kind === 'matched' && r.by, 'immutableId');
  });

  it('falls back to UPN, case-insensitively, then to mail', () => {
    const byUpn = matchUser(onPrem({ immutableId: 'nope', userPrincipalName: 'BOB@corp.onmicrosoft.com' }), index, ORDER);
    assert.deepEqual(byUpn.kind === 'matched' && [byUpn.cloud.id, byUpn.by], ['c2', 'userPrincipalName']);
    const byMail = matchUser(onPrem({ immutableId: 'nope', userPrincipalName: 'bob@corp.example.com', mail: 'bob@corp.example.com' }), index, ORDER);
    assert.deepEqual(byMail.kind === 'matched' && [byMail.cloud.id, byMail.by], ['c2', 'mail']);
  });

  it('treats immutableId as case-sensitive', () => {
    const r = matchUser(onPrem({ immutableId: 'imm1' }), index, ['immutableId']);
    assert.equal(r.kind, 'none');
  });

  it('reports several hits as ambiguous instead of guessing', () => {
    const r = matchUser(onPrem({ immutableId: 'nope', mail: 'shared@corp.example.com' }), index, ORDER);
    assert.equal(r.kind, 'ambiguous');
    assert.deepEqual(r.kind === 'ambiguous' && r.candidates.map((c) => c.id).sort(), ['c3', 'c4']);
  });

  it('does not take a cloud user anchored to another on-prem object by UPN', () => {
    const r = matchUser(onPrem({ immutableId: 'mine', userPrincipalName: 'carol@corp.example.com' }), index, ORDER);
    assert.equal(r.kind, 'none');
    assert.deepEqual(r.kind === 'none' && r.tried, ['immutableId mine', 'userPrincipalName carol@corp.example.com']);
  });

  it('honours a configured order', () => {
    const r = matchUser(onPrem({ immutableId: 'IMM1', mail: 'bob@corp.example.com' }), index, ['mail', 'immutableId']);
    assert.deepEqual(r.kind === 'matched' && [r.cloud.id, r.by], ['c2', 'mail']);
  });
});

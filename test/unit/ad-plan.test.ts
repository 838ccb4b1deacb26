import assert from 'node:assert/strict';
import type { OnPremUser } from '../../src/model.js';
import { adRefusal, checkStatus, decideMatched, decideWithoutFile, summariseAdPlan, type Candidate } from '../../src/sync/decide/ad-plan.js';
import { LdapPhotoWriter, type LdapWriteClient } from '../../src/directory/ldap-writer.js';
import { adImportCsv, adImportTable } from '../../src/report/ad-import.js';
import { automatch } from '../../src/sync/decide/automatch.js';
import { compileNamePattern } from '../../src/sync/decide/ad-pattern.js';

const u = (sam: string): OnPremUser => ({ dn: `CN=${sam},DC=corp`, objectGuid: `g-${sam}`, immutableId: '', sAMAccountName: sam, userPrincipalName: `${sam}@corp` });
const cand: Candidate = { file: 'a.jpg', side: 600, quality: 90, bytes: 99_000, sha256: 'x', crop: { left: 0, top: 10, side: 600, width: 600, height: 800 } };
const T = { deleteThreshold: 1, changeThreshold: 3, changeThresholdPercent: 50, percentFloor: 20 };

describe('ad/plan: decisions and thresholds', () => {
  it('judges one attribute: another picture, a much smaller copy, over the budget, in sync', () => {
    assert.equal(checkStatus(false, { side: 600, bytes: 1 }, 600), 'drifted');
    assert.equal(checkStatus(true, { side: 96, bytes: 9_000 }, 600), 'smaller-in-ad');
    assert.equal(checkStatus(true, { side: 460, bytes: 9_000 }, 600), 'in-sync', '¾ of the side is close enough');
    assert.equal(checkStatus(true, { side: 600, bytes: 99_000 }, 230, 10_240), 'over-budget');
  });

  it('writes only stale attributes and says why; a fill is not an overwrite', () => {
    const d = decideMatched(u('a'), cand, [
      { attribute: 'thumbnailPhoto', status: 'in-sync', distance: 0.01, current: { side: 600, bytes: 99_000 } },
      { attribute: 'jpegPhoto', status: 'missing-in-ad' },
    ]);
    assert.deepEqual([d.action, d.attributes, d.replaces, d.status], ['set', ['jpegPhoto'], false, 'missing-in-ad']);
    assert.match(d.reason, /jpegPhoto is empty/);
    const same = decideMatched(u('b'), cand, [{ attribute: 'thumbnailPhoto', status: 'in-sync', distance: 0 }]);
    assert.equal(same.action, 'skip');
    const drift = decideMatched(u('c'), cand, [{ attribute: 'thumbnailPhoto', status: 'drifted', distance: 0.5 }]);
    assert.deepEqual([drift.action, drift.replaces], ['set', true]);
    assert.match(drift.reason, /another picture \(distance 0\.500\)/);
  });

  it('removes only on request and only where AD has a photo', () => {
    assert.equal(decideWithoutFile(u('a'), true, false, ['thumbnailPhoto']).action, 'skip');
    assert.equal(decideWithoutFile(u('a'), false, true, ['thumbnailPhoto']).action, 'skip');
    assert.deepEqual(decideWithoutFile(u('a'), true, true, ['thumbnailPhoto', 'jpegPhoto']).attributes, ['thumbnailPhoto', 'jpegPhoto']);
  });

  it("applies reconcile's thresholds: deletes, overwrites, the percentage from 20 users up; fills never count", () => {
    const del = [decideWithoutFile(u('a'), true, true, ['thumbnailPhoto']), decideWithoutFile(u('b'), true, true, ['thumbnailPhoto'])];
    assert.match(adRefusal(summariseAdPlan(del), 2, T) ?? '', /2 deletes exceed the delete threshold of 1/);
    const over = ['a', 'b', 'c', 'd'].map((s) => decideMatched(u(s), cand, [{ attribute: 'thumbnailPhoto', status: 'drifted', distance: 0.4 }]));
    assert.match(adRefusal(summariseAdPlan(over), 4, T) ?? '', /4 overwrites and deletes exceed the change threshold of 3/);
    const fills = Array.from({ length: 30 }, (_, i) => decideMatched(u(`f${i}`), cand, [{ attribute: 'thumbnailPhoto', status: 'missing-in-ad' }]));
    assert.equal(adRefusal(summariseAdPlan(fills), 30, T), undefined);
    const pct = [...over.slice(0, 3), ...fills.slice(0, 2)];
    assert.match(adRefusal(summariseAdPlan(pct), 5, { ...T, changeThreshold: 100, percentFloor: 5 }) ?? '', /60\.0% of 5 matched users, over the 50% threshold/);
  });
});

describe('directory/ldap-writer: results per user', () => {
  function writerFailingWith(err: unknown): LdapPhotoWriter {
    const client = { modify: async () => Promise.reject(err) } as unknown as LdapWriteClient;
    return new LdapPhotoWriter(client);
  }
  const ldapError = (code: number | string, message: string): Error => Object.assign(new Error(message), { code });

  it('maps LDAP result codes to stable ids with advice; transport errors are retryable', async () => {
    const cases: Array<[number | string, string, boolean]> = [
      [50, 'InsufficientAccess', false],
      [32, 'NoSuchObject', true],
      [21, 'ValueRejected', false],
      [19, 'ValueRejected', false],
      [51, 'Unavailable', true],
      ['ECONNRESET', 'Unavailable', true],
      [1, 'LdapError', true],
    ];
    for (const [code, id, retryable] of cases) {
      const r = await writerFailingWith(ldapError(code, 'boom')).write('CN=x', { thumbnailPhoto: Buffer.from('x') });
      assert.deepEqual([r.ok, r.errorId, r.retryable], [false, id, retryable], String(code));
      assert.ok(r.advice);
    }
  });

  it('sends nothing for an empty change', async () => {
    assert.deepEqual(await writerFailingWith(new Error('must not be called')).write('CN=x', {}), { dn: 'CN=x', ok: true });
  });
});

describe('report/ad-import: table and CSV', () => {
  it('lists every automatch outcome; CSV cells are neutralised against formulas', () => {
    const users = [u('jsmith'), { ...u('x1'), givenName: 'A', sn: 'B' }, { ...u('x2'), givenName: 'A', sn: 'B' }, u('none')];
    const am = automatch(['jsmith.jpg', 'a.b.jpg', '=cmd.jpg'], users, ['{sAMAccountName}.{ext}', '{givenName}.{sn}.{ext}'].map(compileNamePattern));
    const result = { automatch: am, decisions: [], summary: summariseAdPlan([]), dryRun: false, matchOnly: true };
    const table = adImportTable(result);
    assert.match(table, /Automatch: 1 matched, 1 files without a user, 1 users without a file, 1 ambiguous files, 0 ambiguous users/);
    assert.match(table, /jsmith\.jpg → jsmith@corp/);
    assert.match(table, /a\.b\.jpg → x1@corp, x2@corp/);
    const csv = adImportCsv(result).split('\r\n');
    assert.equal(csv[0], 'list,file,upn,sAMAccountName,dn,objectGuid,status,action,attributes,side,quality,bytes,reason');
    assert.ok(csv.includes("file-without-user,'=cmd.jpg,,,,,,,,,,,"), csv.join('\n'));
    assert.equal(csv.filter((l) => l.startsWith('ambiguous-file,a.b.jpg')).length, 2);
  });
});

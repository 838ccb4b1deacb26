import assert from 'node:assert/strict';
import type { CloudUser, PhotoPrint } from '../../src/model.js';
import { classify, summarise, type ComparePrints } from '../../src/sync/decide/classify.js';
import type { Observation } from '../../src/sync/decide/observation.js';

const print = (phash: string): PhotoPrint => ({ sha256: `sha-${phash}`, phash, width: 96, height: 96 });
// Test comparator: distance = number of differing hex digits; same below 2.
const compare: ComparePrints = (a, b) => {
  let d = 0;
  for (let i = 0; i < a.phash.length; i++) if (a.phash[i] !== b.phash[i]) d++;
  return { same: d < 2, distance: d };
};
const cloudUser: CloudUser = { id: 'c1', userPrincipalName: 'ada@corp' };

function obs(p: Partial<Observation>): Observation {
  return {
    user: { dn: 'CN=Ada,DC=corp', objectGuid: 'g1', immutableId: 'i1', userPrincipalName: 'ada@corp' },
    source: {},
    match: { kind: 'matched', cloud: cloudUser, by: 'immutableId' },
    cloud: { meta: { exists: false } },
    route: { route: 'graph', why: 'no on-prem mailbox attribute' },
    ...p,
  };
}

describe('reconcile/classify', () => {
  it('in-sync when the pictures compare the same, with the distance', () => {
    const c = classify(obs({ source: { print: print('aaaa'), origin: 'thumbnailPhoto' }, cloud: { meta: { exists: true, etag: 'e1' }, print: print('aaab') } }), compare);
    assert.equal(c.status, 'in-sync');
    assert.equal(c.distance, 1);
    assert.equal(c.cloudEtag, 'e1');
    assert.equal(c.cloudId, 'c1');
  });

  it('drifted when they differ, naming the source', () => {
    const c = classify(obs({ source: { print: print('aaaa'), origin: 'thumbnailPhoto' }, cloud: { meta: { exists: true }, print: print('bbbb') } }), compare);
    assert.equal(c.status, 'drifted');
    assert.match(c.reason, /thumbnailPhoto/);
    assert.equal(c.distance, 4);
  });

  it('resolution drift: the same picture, held by the cloud clearly smaller than the source gives', () => {
    const src = { ...print('aaaa'), width: 800, height: 1000 };
    const small = classify(obs({ source: { print: src, origin: 'folder:ada.jpg' }, cloud: { meta: { exists: true, width: 96, height: 96 }, print: print('aaaa') } }), compare);
    assert.deepEqual([small.status, small.undersized], ['drifted', true]);
    assert.equal(small.reason, 'same picture as folder:ada.jpg, but the cloud holds 96×96, the source gives 648×648');
    const full = classify(obs({ source: { print: src }, cloud: { meta: { exists: true, width: 648, height: 648 }, print: print('aaaa') } }), compare);
    assert.deepEqual([full.status, full.undersized], ['in-sync', false]);
    // A 96 px source against a 96 px cloud copy: nothing better to give.
    const thumb = classify(obs({ source: { print: print('aaaa') }, cloud: { meta: { exists: true, width: 96, height: 96 }, print: print('aaab') } }), compare);
    assert.equal(thumb.status, 'in-sync');
  });

  it("a differing picture's reason says why, when the comparator does", () => {
    const blocks = Array.from({ length: 64 }, (_, i) => (i === 7 ? 0.2 : 0.01));
    const why: ComparePrints = () => ({ same: false, distance: 0.02, why: 'part of the picture changed colour', blocks });
    const c = classify(obs({ source: { print: print('aaaa'), origin: 'thumbnailPhoto' }, cloud: { meta: { exists: true }, print: print('aaaa') } }), why);
    assert.equal(c.reason, 'cloud photo differs from thumbnailPhoto: part of the picture changed colour (distance 0.02)');
    assert.deepEqual(c.blocks, blocks, 'where they differ, for the HTML report');
    assert.equal(c.undersized, false);
  });

  it('missing-in-cloud, missing-in-source, and nothing on either side', () => {
    assert.equal(classify(obs({ source: { print: print('aaaa') } }), compare).status, 'missing-in-cloud');
    assert.equal(classify(obs({ cloud: { meta: { exists: true }, print: print('aaaa') } }), compare).status, 'missing-in-source');
    const none = classify(obs({}), compare);
    assert.equal(none.status, 'in-sync');
    assert.match(none.reason, /no photo on either side/);
  });

  it('unmatched for no match and ambiguous matches, each with its reason', () => {
    const none = classify(obs({ match: { kind: 'none', tried: ['userPrincipalName ada@corp'] } }), compare);
    assert.equal(none.status, 'unmatched');
    assert.match(none.reason, /tried userPrincipalName ada@corp/);
    const amb = classify(obs({ match: { kind: 'ambiguous', by: 'mail', candidates: [cloudUser, { id: 'c2', userPrincipalName: 'x@corp' }] } }), compare);
    assert.match(amb.reason, /several cloud users \(ada@corp, x@corp\)/);
  });

  it('error for unreadable source photos and cloud failures; directory errors win', () => {
    assert.equal(classify(obs({ source: { error: 'corrupt JPEG' } }), compare).status, 'error');
    const cloudErr = classify(obs({ source: { print: print('aaaa') }, cloud: { error: '503 after 5 tries' } }), compare);
    assert.equal(cloudErr.status, 'error');
    assert.match(cloudErr.reason, /503 after 5 tries/);
    assert.match(classify(obs({ readError: 'objectGUID is 3 bytes' }), compare).reason, /^directory: objectGUID/);
  });

  it('summarise counts every status', () => {
    const s = summarise([{ status: 'in-sync' }, { status: 'drifted' }, { status: 'drifted' }]);
    assert.equal(s.total, 3);
    assert.equal(s.drifted, 2);
    assert.equal(s['missing-in-cloud'], 0);
  });
});

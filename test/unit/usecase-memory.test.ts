import assert from 'node:assert/strict';
import { openMemoryStore } from '../../src/state/index.js';
import { prefetched, readMemory, recallOnce, rememberedPrint, rememberedSourcePrint, runMemory, userMemory } from '../../src/usecases/memory.js';
import { encodeStoredPrint } from '../../src/photo/stored-print.js';

const G = (n: number): string => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

describe('state as the stages\' memory (read only)', () => {
  it('gives the planner what it needs of a user, deferral included (field, or an old record\'s prefix)', () => {
    const now = new Date(0);
    assert.equal(userMemory(undefined), undefined);
    assert.deepEqual(userMemory({ objectGuid: G(1), attempts: 2, updatedAt: now, cloudId: 'c1', pushedSha256: 'p', lastResult: 'error', lastError: 'no', deferred: 'waiting', cloudPhash: 'x' }), {
      cloudId: 'c1', pushedSha256: 'p', lastResult: 'error', lastError: 'no', deferred: 'waiting',
    });
    assert.equal(userMemory({ objectGuid: G(1), attempts: 0, updatedAt: now, lastResult: 'error', lastError: 'blocked: tenant says no' })?.deferred, 'blocked');
    assert.equal(userMemory({ objectGuid: G(1), attempts: 0, updatedAt: now, lastResult: 'ok', lastError: 'waiting: stale' })?.deferred, undefined);
  });

  it('takes claims and the matched population once, after the read, without vanished users', () => {
    const state = openMemoryStore();
    state.upsertUser({ objectGuid: G(1), cloudId: 'c1', dn: 'CN=one' });
    state.upsertUser({ objectGuid: G(2), cloudId: 'c1' });
    state.upsertUser({ objectGuid: G(3), cloudId: 'c3' });
    state.upsertUser({ objectGuid: G(4) });
    const vanished: string[] = [];
    const mem = runMemory(state, vanished);
    vanished.push(G(3).toUpperCase()); // filled by the read before the first use
    assert.deepEqual(mem.claims('c1'), [{ objectGuid: G(1), dn: 'CN=one' }, { objectGuid: G(2) }]);
    assert.deepEqual(mem.claims('c3'), []);
    assert.equal(mem.knownMatched(), 2);
    state.upsertUser({ objectGuid: G(5), cloudId: 'c5' });
    assert.equal(mem.knownMatched(), 2, 'as the state was before this run recorded anything');
    state.recordFailure({ objectGuid: G(6), runId: 'r', error: 'boom' });
    assert.deepEqual([...mem.holders()].sort(), [G(1), G(2), G(3)].sort(), 'holders of a claim, taken in the same pass, vanished ones too');
    assert.equal(mem.user(''), undefined, 'a user without a key has no memory');
    assert.equal(mem.user(G(1))?.cloudId, 'c1');
  });

  it('gives the read stage the mark, the last full run and the pending users', () => {
    const state = openMemoryStore();
    state.setMark('dir', { invocationId: 'inv', usn: 7n, at: new Date(0) });
    state.recordFailure({ objectGuid: G(1), runId: 'r', error: 'boom' });
    state.upsertUser({ objectGuid: G(2), lastResult: 'error', lastError: 'no cloud user', deferred: 'waiting' });
    const mem = readMemory(state, 'dir');
    assert.equal(mem.mark()?.usn, 7n);
    assert.equal(mem.lastFullRunAt(), undefined);
    assert.deepEqual(mem.pending(), [{ objectGuid: G(1) }, { objectGuid: G(2), deferred: 'waiting' }]);
    assert.equal(readMemory(state, 'other').mark(), undefined);
  });

  it('remembers a cloud fingerprint only for the etag it was taken at', () => {
    const state = openMemoryStore();
    state.recordCloudSeen({ objectGuid: G(1), etag: 'e1', phash: 'ab12' });
    const known = rememberedPrint(state);
    assert.equal(known(G(1), 'e1')?.phash, 'ab12');
    assert.equal(known(G(1), 'e2'), undefined);
    assert.equal(known('', 'e1'), undefined);
  });

  it('reads the stored cloud print in both forms: with size and colour grid, and the older bare hash', () => {
    const state = openMemoryStore();
    state.recordCloudSeen({ objectGuid: G(1), etag: 'e1', phash: 'v2;ab12;96x96;oklab16:AAAA' });
    state.recordCloudSeen({ objectGuid: G(2), etag: 'e1', phash: 'ab12' });
    const known = rememberedPrint(state);
    assert.deepEqual(known(G(1), 'e1'), { sha256: 'remembered:e1', phash: 'ab12', width: 96, height: 96, colour: 'oklab16:AAAA' });
    assert.deepEqual(known(G(2), 'e1'), { sha256: 'remembered:e1', phash: 'ab12', width: 0, height: 0 });
  });
  it('reuses a source print only when it is whole (colour grid and size), so an upgraded state re-fingerprints once', () => {
    const state = openMemoryStore();
    const phash = 'ab'.repeat(32);
    state.upsertUser({ objectGuid: G(1), sourceSha256: 's1', sourcePhash: phash });
    state.upsertUser({ objectGuid: G(2), sourceSha256: 's2', sourcePhash: encodeStoredPrint({ phash, width: 648, height: 648, colour: 'oklab16:AAAA' }) });
    const known = rememberedSourcePrint(state);
    assert.equal(known(G(1), 's1'), undefined, 'a hash from before the colour stage is not reused');
    assert.deepEqual(known(G(2), 's2'), { sha256: 's2', phash, width: 648, height: 648, colour: 'oklab16:AAAA' });
    assert.equal(known(G(2), 'other'), undefined, 'another photo is fingerprinted afresh');
  });

  it('reads each user record once for the three lookups of the read, and keeps a bounded number of them', () => {
    const state = openMemoryStore();
    for (let n = 0; n < 1100; n++) state.upsertUser({ objectGuid: G(n), cloudId: `c${n}`, sourceSha256: `s${n}` });
    const reads: string[] = [];
    const counting = { getUser: (g: string) => (reads.push(g), state.getUser(g)), getUsers: (gs: Iterable<string>) => state.getUsers(gs), allUsers: () => state.allUsers() };
    const recalled = recallOnce(counting);
    const mem = runMemory(recalled);
    const source = rememberedSourcePrint(recalled);
    const cloud = rememberedPrint(recalled);
    for (let n = 0; n < 1100; n++) {
      source(G(n), `s${n}`);
      cloud(G(n), 'etag');
      assert.equal(mem.user(G(n))?.cloudId, `c${n}`);
    }
    assert.equal(reads.length, 1100, 'one SQLite read per user');
    recalled.getUser(G(1099));
    assert.equal(reads.length, 1100, 'a recent user is still kept');
    recalled.getUser(G(0));
    assert.equal(reads.length, 1101, 'the oldest were dropped (bounded memory)');
  });

  it('reads the state records of the users the directory yields in bulk, a few dozen per query, ahead of their lookups', async () => {
    const state = openMemoryStore();
    for (let n = 0; n < 200; n += 2) state.upsertUser({ objectGuid: G(n), cloudId: `c${n}` });
    const single: string[] = [];
    const bulk: number[] = [];
    const recalled = recallOnce({
      getUser: (g) => (single.push(g), state.getUser(g)),
      getUsers: (gs) => { const list = [...gs]; bulk.push(list.length); return state.getUsers(list); },
      allUsers: () => state.allUsers(),
    });
    async function* directory() {
      for (let n = 0; n < 150; n++) yield { dn: `CN=u${n}`, objectGuid: G(n).toUpperCase(), immutableId: 'x' };
    }
    const seen: string[] = [];
    for await (const u of prefetched(directory(), recalled)) {
      seen.push(u.objectGuid);
      const n = seen.length - 1;
      assert.equal(recalled.getUser(u.objectGuid)?.cloudId, n % 2 === 0 ? `c${n}` : undefined);
    }
    assert.equal(seen.length, 150, 'every user, in directory order');
    assert.deepEqual(bulk, [64, 64, 22], 'one query per 64 users');
    assert.deepEqual(single, [], 'no lookup went to SQLite one by one, not even for users the state does not know');
  });
});

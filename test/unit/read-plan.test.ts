import assert from 'node:assert/strict';
import type { OnPremUser } from '../../src/model.js';
import { planRead, type ReadMemory, type ReadPlanOptions } from '../../src/sync/read/read-plan.js';
import { collect } from '../support/json.js';
import { FakeDirectory, fakeReader } from '../support/fakes.js';

const user = (n: number): OnPremUser => ({ dn: `CN=u${n}`, objectGuid: `0000000${n}-0000-0000-0000-000000000000`, immutableId: `i${n}`, userPrincipalName: `u${n}@corp` });
const MARK = { invocationId: 'inv-1', usn: 500n };
const NOW = new Date('2026-06-10T00:00:00Z');
const OPTS: ReadPlanOptions = { full: false, reload: false, cloudWritesBlocked: false };

function memory(p: Partial<{ mark: typeof MARK; lastFull: Date; pending: ReturnType<ReadMemory['pending']> }> = {}): ReadMemory {
  return { mark: () => p.mark, lastFullRunAt: () => p.lastFull, pending: () => p.pending ?? [] };
}

async function plan(dir: FakeDirectory, mem: ReadMemory, opts: Partial<ReadPlanOptions> = {}) {
  const logged: Array<[object, string]> = [];
  const p = await planRead(
    { directory: dir, reader: fakeReader([{ id: 'c1', userPrincipalName: 'u1@corp' }]), memory: mem, fullEveryDays: 7, now: () => NOW, log: { info: (o, m) => logged.push([o, m]) } },
    { ...OPTS, ...opts },
  );
  return { p, logged, users: (await collect(p.scope.users)).map((u) => u.userPrincipalName) };
}

describe('read plan (full, incremental, single; writes nothing)', () => {
  const all = [user(1), user(2), user(3)];
  const recent = { mark: MARK, lastFull: new Date('2026-06-08T00:00:00Z') };

  it('reads everyone when there is no usable mark, saying why', async () => {
    for (const [mem, why] of [
      [memory(), 'first run against this directory'],
      [memory({ ...recent, mark: { invocationId: 'other', usn: 9n } }), 'another DC or a restored DC (invocationId other → inv-1)'],
      [memory({ mark: MARK, lastFull: new Date('2026-06-01T00:00:00Z') }), 'last full read 9.0 days ago (fullEveryDays 7)'],
    ] as const) {
      const { p, logged, users } = await plan(new FakeDirectory(all, MARK), mem);
      assert.equal(p.mode, 'full');
      assert.deepEqual(p.nextMark, MARK);
      assert.deepEqual(users, ['u1@corp', 'u2@corp', 'u3@corp']);
      assert.deepEqual(logged, [[{ why }, 'full directory read']]);
      assert.equal(p.scope.cloudUsers.length, 1);
    }
    assert.deepEqual((await plan(new FakeDirectory(all), memory(recent))).logged[0]?.[0], { why: 'the directory source has no change tracking' });
    assert.deepEqual((await plan(new FakeDirectory(all, MARK), memory(recent), { full: true })).logged[0]?.[0], { why: '--full' });
    assert.deepEqual((await plan(new FakeDirectory(all, MARK), memory(recent), { reload: true })).logged[0]?.[0], { why: '--reload' });
  });

  it('reads only changed users since the mark, then the pending ones, each once', async () => {
    const dir = new FakeDirectory(all, { invocationId: 'inv-1', usn: 800n }, [user(2)]);
    const pending = [{ objectGuid: user(2).objectGuid }, { objectGuid: user(3).objectGuid }];
    const { p, users } = await plan(dir, memory({ ...recent, pending }));
    assert.equal(p.mode, 'incremental');
    assert.deepEqual(dir.calls[0], { since: MARK });
    assert.deepEqual(users, ['u2@corp', 'u3@corp']);
    assert.deepEqual(p.nextMark, { invocationId: 'inv-1', usn: 800n });
    assert.deepEqual(p.vanished, []);
  });

  it('hands on pending users the directory no longer returns instead of writing them', async () => {
    const gone = '99999999-0000-0000-0000-000000000000';
    const { p, users } = await plan(new FakeDirectory(all, MARK, []), memory({ ...recent, pending: [{ objectGuid: gone }, { objectGuid: user(1).objectGuid }] }));
    assert.deepEqual(users, ['u1@corp']);
    assert.deepEqual(p.vanished, [gone]);
  });

  it('leaves out users blocked by the tenant policy while it still blocks', async () => {
    const pending = [{ objectGuid: user(1).objectGuid, deferred: 'blocked' as const }, { objectGuid: user(2).objectGuid, deferred: 'waiting' as const }];
    assert.deepEqual((await plan(new FakeDirectory(all, MARK), memory({ ...recent, pending }), { cloudWritesBlocked: true })).users, ['u2@corp']);
    assert.deepEqual((await plan(new FakeDirectory(all, MARK), memory({ ...recent, pending }))).users, ['u1@corp', 'u2@corp']);
  });

  it('reads one user for fix, by any identifier, and no mark', async () => {
    const { p, users } = await plan(new FakeDirectory(all, MARK), memory(recent), { user: 'u1@corp' });
    assert.equal(p.mode, 'single');
    assert.equal(p.nextMark, undefined);
    assert.deepEqual(users, ['u1@corp']);
    assert.deepEqual(p.scope.cloudUsers.map((c) => c.id), ['c1']);
    await assert.rejects(plan(new FakeDirectory(all, MARK), memory(recent), { user: 'nobody@corp' }), { name: 'UserNotFoundError' });
  });
});

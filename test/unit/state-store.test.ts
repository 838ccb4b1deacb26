/**
 * One contract suite, run against both StateStore implementations (SQLite on a temp file, and in memory).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateError } from '../../src/state/errors.js';
import { directoryKey } from '../../src/state/keys.js';
import { openMemoryStore } from '../../src/state/memory-store.js';
import { isRunId } from '../../src/state/run-id.js';
import { openSqliteStore } from '../../src/state/sqlite-store.js';
import type { StateStore, StoreOptions } from '../../src/state/store.js';
import { cloudPhashFor } from '../../src/state/user-record.js';

function fakeClock(start = '2025-03-01T10:00:00.000Z') {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

const G1 = '0f8fad5b-d9cb-469f-a165-70867728950e';
const G2 = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** Guids that sort in numeric order: 00000000-0000-0000-0000-00000000NNNN. */
const guid = (n: number) => `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`;

type Factory = (options: StoreOptions) => { store: StateStore; cleanup: () => void };

/** The contract every StateStore meets; `factory` makes a fresh, empty store. */
function stateStoreContract(name: string, factory: Factory): void {
  describe(`StateStore contract: ${name}`, () => {
    let clock: ReturnType<typeof fakeClock>;
    let store: StateStore;
    let cleanup: () => void;

    beforeEach(() => {
      clock = fakeClock();
      ({ store, cleanup } = factory({ now: clock.now }));
    });
    afterEach(() => {
      store.close();
      cleanup();
    });

    describe('users', () => {
      it('creates a user on first upsert with zero attempts and the clock time', () => {
        assert.equal(store.getUser(G1), undefined);
        const made = store.upsertUser({ objectGuid: G1, dn: 'CN=Ann,OU=Staff,DC=corp', upn: 'ann@corp.test', route: 'graph' });
        assert.deepEqual(made, {
          objectGuid: G1,
          dn: 'CN=Ann,OU=Staff,DC=corp',
          upn: 'ann@corp.test',
          route: 'graph',
          attempts: 0,
          updatedAt: new Date('2025-03-01T10:00:00.000Z'),
        });
        assert.deepEqual(store.getUser(G1), made);
      });

      it('keeps fields a patch leaves out, clears fields a patch sets to null, and moves updatedAt', () => {
        store.upsertUser({ objectGuid: G1, dn: 'CN=Ann', upn: 'ann@corp.test', cloudId: 'c-1', sourceSha256: 'aa' });
        clock.advance(60_000);
        const next = store.upsertUser({ objectGuid: G1, upn: 'ann.b@corp.test', cloudId: null });
        assert.equal(next.dn, 'CN=Ann');
        assert.equal(next.upn, 'ann.b@corp.test');
        assert.equal(next.sourceSha256, 'aa');
        assert.equal('cloudId' in next, false);
        assert.equal(next.updatedAt.toISOString(), '2025-03-01T10:01:00.000Z');
        assert.deepEqual(store.getUser(G1), next);
      });

      it('treats braces and upper case as the same objectGUID', () => {
        store.upsertUser({ objectGuid: `{${G1.toUpperCase()}}`, upn: 'ann@corp.test' });
        assert.equal(store.getUser(G1)?.upn, 'ann@corp.test');
        assert.equal(store.getUser(G1)?.objectGuid, G1);
        assert.throws(() => store.getUser('  '), TypeError);
      });

      it('refuses an unknown route and stores nothing', () => {
        assert.throws(() => store.upsertUser({ objectGuid: G1, route: 'carrier-pigeon' as never }), TypeError);
        assert.equal(store.getUser(G1), undefined);
      });

      it('returned records are copies: mutating them does not change the store', () => {
        const u = store.upsertUser({ objectGuid: G1, upn: 'ann@corp.test' });
        u.upn = 'mallory@corp.test';
        u.updatedAt.setFullYear(1999);
        const again = store.getUser(G1);
        assert.equal(again?.upn, 'ann@corp.test');
        assert.equal(again?.updatedAt.getUTCFullYear(), 2025);
      });

      it('recordPush(set) remembers what was pushed and the etag after, and forgives earlier failures', () => {
        store.recordFailure({ objectGuid: G1, runId: 'r1', error: 'timeout', action: 'set' });
        store.recordFailure({ objectGuid: G1, runId: 'r2', error: 'timeout', action: 'set' });
        store.recordCloudSeen({ objectGuid: G1, etag: 'W/"old"', phash: 'ph-old' });
        clock.advance(1000);
        const u = store.recordPush({
          objectGuid: G1,
          runId: 'r3',
          action: 'set',
          route: 'graph',
          cloudId: 'c-1',
          sourceSha256: 'src-sha',
          sourcePhash: 'src-ph',
          pushedSha256: 'push-sha',
          pushedPhash: 'push-ph',
          etag: 'W/"new"',
        });
        assert.equal(u.pushedSha256, 'push-sha');
        assert.equal(u.pushedPhash, 'push-ph');
        assert.equal(u.sourceSha256, 'src-sha');
        assert.equal(u.cloudEtagAfterPush, 'W/"new"');
        assert.equal(u.lastCloudEtagSeen, 'W/"new"');
        assert.equal(u.cloudPhash, undefined, 'the old cloud fingerprint no longer describes the cloud photo');
        assert.equal(u.lastAction, 'set');
        assert.equal(u.lastResult, 'ok');
        assert.equal(u.lastError, undefined);
        assert.equal(u.attempts, 0);
        assert.equal(u.lastRunId, 'r3');
        assert.equal(u.cloudId, 'c-1');
        assert.deepEqual(store.usersWithPendingErrors(), []);
      });

      it('recordPush(set) without an etag clears the etags rather than keep stale ones', () => {
        store.recordPush({ objectGuid: G1, runId: 'r1', action: 'set', pushedSha256: 'a', pushedPhash: 'b', etag: 'E1' });
        const u = store.recordPush({ objectGuid: G1, runId: 'r2', action: 'set', route: 'exchange-onprem', pushedSha256: 'c', pushedPhash: 'd' });
        assert.equal(u.cloudEtagAfterPush, undefined);
        assert.equal(u.lastCloudEtagSeen, undefined);
        assert.equal(u.pushedSha256, 'c');
        assert.equal(u.route, 'exchange-onprem');
      });

      it('recordPush(delete) forgets what was pushed', () => {
        store.recordPush({ objectGuid: G1, runId: 'r1', action: 'set', pushedSha256: 'a', pushedPhash: 'b', etag: 'E1' });
        const u = store.recordPush({ objectGuid: G1, runId: 'r2', action: 'delete' });
        assert.equal(u.lastAction, 'delete');
        assert.equal(u.lastResult, 'ok');
        for (const f of ['pushedSha256', 'pushedPhash', 'cloudEtagAfterPush', 'lastCloudEtagSeen'] as const) {
          assert.equal(u[f], undefined, f);
        }
      });

      it('recordFailure counts consecutive failures, keeps the last push, and scrubs the error', () => {
        store.recordPush({ objectGuid: G1, runId: 'r1', action: 'set', pushedSha256: 'a', pushedPhash: 'b', etag: 'E1' });
        store.recordFailure({ objectGuid: G1, runId: 'r2', error: 'HTTP 503', action: 'set' });
        const u = store.recordFailure({
          objectGuid: G1,
          runId: 'r3',
          error: 'HTTP 401 with Authorization: Bearer abc.def.ghi',
        });
        assert.equal(u.attempts, 2);
        assert.equal(u.lastResult, 'error');
        assert.equal(u.lastAction, 'set', 'an absent action keeps the previous one');
        assert.equal(u.pushedSha256, 'a');
        assert.equal(u.cloudEtagAfterPush, 'E1');
        assert.equal(u.lastRunId, 'r3');
        assert.match(u.lastError ?? '', /Bearer \[redacted\]/);
        assert.doesNotMatch(u.lastError ?? '', /abc\.def/);
      });

      it('usersWithPendingErrors lists failed users by objectGUID until they succeed', () => {
        store.recordFailure({ objectGuid: G2, runId: 'r1', error: 'x' });
        store.recordFailure({ objectGuid: G1, runId: 'r1', error: 'y' });
        store.upsertUser({ objectGuid: guid(5), lastResult: 'ok' });
        assert.deepEqual(store.usersWithPendingErrors().map((u) => u.objectGuid), [G1, G2]);
        store.recordPush({ objectGuid: G2, runId: 'r2', action: 'delete' });
        assert.deepEqual(store.usersWithPendingErrors().map((u) => u.objectGuid), [G1]);
      });

      it('does not rewrite a record that a run only saw again (lastRunId and updatedAt are of the last change)', () => {
        store.recordCloudSeen({ objectGuid: G1, etag: 'E1', phash: 'p1', runId: 'r1' });
        store.upsertUser({ objectGuid: G1, upn: 'ann@corp.test', lastRunId: 'r1' });
        const before = store.getUser(G1);
        clock.advance(60_000);
        store.recordCloudSeen({ objectGuid: G1, etag: 'E1', runId: 'r2' });
        store.upsertUser({ objectGuid: G1, upn: 'ann@corp.test', lastRunId: 'r2' });
        assert.deepEqual(store.getUser(G1), before, 'nothing new: the record is left as it was');
        const changed = store.recordCloudSeen({ objectGuid: G1, etag: 'E2', runId: 'r3' });
        assert.equal(changed.lastRunId, 'r3');
        assert.equal(changed.updatedAt.toISOString(), '2025-03-01T10:01:00.000Z');
        assert.deepEqual(store.getUser(G1), changed);
      });

      it('recordCloudSeen ties a fingerprint to its etag', () => {
        store.recordCloudSeen({ objectGuid: G1, etag: 'E1', phash: 'p1', runId: 'r1' });
        let u = store.getUser(G1);
        assert.equal(u?.lastCloudEtagSeen, 'E1');
        assert.equal(cloudPhashFor(u, 'E1'), 'p1');

        store.recordCloudSeen({ objectGuid: G1, etag: 'E2' });
        u = store.getUser(G1);
        assert.equal(u?.lastCloudEtagSeen, 'E2');
        assert.equal(cloudPhashFor(u, 'E2'), undefined, 'p1 belongs to E1, not E2');
        assert.equal(u?.lastRunId, 'r1', 'no runId given: kept');

        store.recordCloudSeen({ objectGuid: G1, etag: null });
        u = store.getUser(G1);
        assert.equal(u?.lastCloudEtagSeen, undefined);
        assert.equal(u?.cloudPhash, undefined);
      });

      it('getUsers looks up many users in batches and skips unknown ones', () => {
        store.transaction(() => {
          for (let i = 0; i < 1200; i++) store.upsertUser({ objectGuid: guid(i), upn: `u${i}@corp.test` });
        });
        const wanted = [...Array.from({ length: 1100 }, (_, i) => guid(i + 50)), guid(99_999), G1];
        const found = store.getUsers(wanted);
        assert.equal(found.size, 1100);
        assert.equal(found.get(guid(1149))?.upn, 'u1149@corp.test');
        assert.equal(found.has(guid(49)), false);
        assert.equal(found.has(G1), false);
        assert.equal(store.getUsers([]).size, 0);
      });

      it('allUsers yields everyone in objectGUID order, across pages, and allows writes while iterating', () => {
        store.transaction(() => {
          for (let i = 1199; i >= 0; i--) store.upsertUser({ objectGuid: guid(i) });
        });
        const seen: string[] = [];
        for (const u of store.allUsers()) {
          seen.push(u.objectGuid);
          if (seen.length === 10) store.forget(guid(1199));
        }
        assert.equal(seen.length, 1199);
        assert.deepEqual(seen.slice(0, 3), [guid(0), guid(1), guid(2)]);
        assert.equal(seen.at(-1), guid(1198));
        assert.deepEqual([...seen].sort(), seen);
      });

      it('forget removes a user and says whether there was one', () => {
        store.upsertUser({ objectGuid: G1 });
        assert.equal(store.forget(G1.toUpperCase()), true);
        assert.equal(store.getUser(G1), undefined);
        assert.equal(store.forget(G1), false);
      });
    });

    describe('directory marks', () => {
      const key = directoryKey('LDAPS://DC1.corp.test:636/', 'DC=corp, DC=test');

      it('round-trips a 64-bit USN exactly', () => {
        assert.equal(store.getMark(key), undefined);
        store.setMark(key, { invocationId: 'inv-1', usn: 9007199254740993n, at: clock.now() });
        const mark = store.getMark(key);
        assert.equal(mark?.usn, 9007199254740993n);
        assert.equal(typeof mark?.usn, 'bigint');
        assert.equal(mark?.invocationId, 'inv-1');
        assert.equal(mark?.at.toISOString(), '2025-03-01T10:00:00.000Z');
        store.setMark(key, { invocationId: 'inv-1', usn: 2n ** 64n - 1n, at: clock.now() });
        assert.equal(store.getMark(key)?.usn, 18446744073709551615n);
      });

      it('refuses a USN that is not a bigint (a number would already have lost precision)', () => {
        assert.throws(() => store.setMark(key, { invocationId: 'i', usn: 5 as unknown as bigint, at: clock.now() }), TypeError);
        assert.throws(() => store.setMark(key, { invocationId: 'i', usn: -1n, at: clock.now() }), RangeError);
        assert.equal(store.getMark(key), undefined);
      });

      it('keeps lastFullRunAt apart from the mark, and clearMark forgets both', () => {
        assert.equal(store.lastFullRunAt(key), undefined);
        store.recordFullRun(key);
        assert.equal(store.lastFullRunAt(key)?.toISOString(), '2025-03-01T10:00:00.000Z');
        assert.equal(store.getMark(key), undefined);
        store.setMark(key, { invocationId: 'inv', usn: 10n, at: clock.now() });
        store.recordFullRun(key, new Date('2025-03-02T00:00:00Z'));
        assert.equal(store.getMark(key)?.usn, 10n);
        assert.equal(store.lastFullRunAt(key)?.toISOString(), '2025-03-02T00:00:00.000Z');
        assert.equal(store.getMark('other'), undefined);
        store.clearMark(key);
        assert.equal(store.getMark(key), undefined);
        assert.equal(store.lastFullRunAt(key), undefined);
      });

      it('normalises directory keys', () => {
        assert.equal(key, directoryKey('ldaps://dc1.corp.test:636', 'dc=corp,dc=test'));
      });
    });

    describe('runs', () => {
      it('starts and finishes runs, newest first', () => {
        const a = store.startRun({ command: 'reconcile', options: { dryRun: false } });
        clock.advance(1000);
        const b = store.startRun({ command: 'report', options: {} });
        assert.ok(isRunId(a) && isRunId(b));
        assert.ok(a < b, 'run ids sort by start time');
        let runs = store.recentRuns(10);
        assert.deepEqual(runs.map((r) => r.runId), [b, a]);
        assert.equal(runs[1]?.status, 'running');
        assert.equal(runs[1]?.finishedAt, undefined);
        assert.deepEqual(runs[1]?.options, { dryRun: false });

        clock.advance(5000);
        store.finishRun(a, { status: 'partial', exitCode: 2, summary: { set: 3, failed: 1, usn: 12n } });
        runs = store.recentRuns(1);
        assert.deepEqual(runs.map((r) => r.runId), [b]);
        const ra = store.recentRuns(2)[1];
        assert.equal(ra?.status, 'partial');
        assert.equal(ra?.exitCode, 2);
        assert.deepEqual(ra?.summary, { set: 3, failed: 1, usn: '12' });
        assert.equal(ra?.startedAt.toISOString(), '2025-03-01T10:00:00.000Z');
        assert.equal(ra?.finishedAt?.toISOString(), '2025-03-01T10:00:06.000Z');
        assert.deepEqual(store.recentRuns(0), []);
      });

      it('makes strictly increasing run ids while the clock stands still', () => {
        const ids = Array.from({ length: 5 }, () => store.startRun({ command: 'reconcile', options: {} }));
        assert.deepEqual([...ids].sort(), ids);
        assert.equal(new Set(ids).size, 5);
        assert.deepEqual(store.recentRuns(5).map((r) => r.runId), [...ids].reverse());
      });

      it('uses a run id given in advance, and refuses it twice', () => {
        const id = '01JNJ0Q3ZS8Y3Y7W2Z1B4C5D6E';
        assert.equal(store.startRun({ command: 'reconcile', options: {}, runId: id }), id);
        assert.throws(() => store.startRun({ command: 'reconcile', options: {}, runId: id }), StateError);
      });

      it('redacts secrets in stored options', () => {
        const id = store.startRun({
          command: 'reconcile',
          options: { tenantId: 't', clientSecret: 's3cr3t', ldap: { url: 'ldaps://dc', bindPassword: 'pw' }, batch: 20 },
        });
        const stored = JSON.stringify(store.recentRuns(1)[0]?.options);
        assert.equal(store.recentRuns(1)[0]?.runId, id);
        assert.doesNotMatch(stored, /s3cr3t|"pw"/);
        assert.deepEqual(store.recentRuns(1)[0]?.options, {
          tenantId: 't',
          clientSecret: '[redacted]',
          ldap: { url: 'ldaps://dc', bindPassword: '[redacted]' },
          batch: 20,
        });
      });

      it('refuses to finish an unknown run or with a bad status', () => {
        assert.throws(() => store.finishRun('01JNJ0Q3ZS8Y3Y7W2Z1B4C5D6E', { status: 'ok', exitCode: 0 }), StateError);
        const id = store.startRun({ command: 'reconcile', options: {} });
        assert.throws(() => store.finishRun(id, { status: 'great' as never, exitCode: 0 }), TypeError);
        store.finishRun(id, { status: 'ok', exitCode: 0 });
        store.finishRun(id, { status: 'failed', exitCode: 1 });
        assert.equal(store.recentRuns(1)[0]?.status, 'failed');
      });
    });

    describe('transactions', () => {
      it('rolls back every write when the function throws', () => {
        store.upsertUser({ objectGuid: G1, upn: 'before@corp.test' });
        assert.throws(
          () =>
            store.transaction(() => {
              store.upsertUser({ objectGuid: G1, upn: 'after@corp.test' });
              store.upsertUser({ objectGuid: G2 });
              store.setMark('k', { invocationId: 'i', usn: 1n, at: clock.now() });
              throw new Error('boom');
            }),
          /boom/,
        );
        assert.equal(store.getUser(G1)?.upn, 'before@corp.test');
        assert.equal(store.getUser(G2), undefined);
        assert.equal(store.getMark('k'), undefined);
      });

      it('returns the function result and nests: an inner failure caught inside rolls back only the inner part', () => {
        const result = store.transaction(() => {
          store.upsertUser({ objectGuid: G1 });
          try {
            store.transaction(() => {
              store.upsertUser({ objectGuid: G2 });
              throw new Error('inner');
            });
          } catch {
            // expected
          }
          return 42;
        });
        assert.equal(result, 42);
        assert.ok(store.getUser(G1));
        assert.equal(store.getUser(G2), undefined);
      });

      it('refuses an async function and rolls back what it did synchronously', () => {
        assert.throws(
          () =>
            store.transaction(() => {
              store.upsertUser({ objectGuid: G1 });
              return Promise.resolve(1);
            }),
          TypeError,
        );
        assert.equal(store.getUser(G1), undefined);
      });
    });

    it('refuses use after close, and closing twice is fine', () => {
      store.close();
      store.close();
      assert.throws(() => store.getUser(G1), StateError);
    });
  });
}

stateStoreContract('memory', (options) => ({ store: openMemoryStore(options), cleanup: () => undefined }));

stateStoreContract('sqlite (temp file)', (options) => {
  const dir = mkdtempSync(join(tmpdir(), 'hps-state-'));
  return { store: openSqliteStore(join(dir, 'state.db'), options), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});

import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { applyPlan } from '../../src/sync/apply/apply.js';
import { createRecorder } from '../../src/sync/apply/record.js';
import { createPhotoSpool, type PhotoSpool } from '../../src/sync/apply/spool.js';
import type { PhotoDeleteItem, PhotoSetItem, PhotoWriter, WriteResult } from '../../src/sync/apply/writer.js';
import { CloudAuthError } from '../../src/cloud/errors.js';
import type { Route } from '../../src/model.js';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';
import type { Decision } from '../../src/sync/decide/plan.js';
import { openMemoryStore } from '../../src/state/index.js';

class FakeWriter implements PhotoWriter {
  sets: PhotoSetItem[][] = [];
  deletes: PhotoDeleteItem[][] = [];
  constructor(readonly route: Route, private readonly failKeys = new Set<string>()) {}
  async setPhotos(items: readonly PhotoSetItem[]): Promise<WriteResult[]> {
    this.sets.push([...items]);
    return items.map((i) => (this.failKeys.has(i.key) ? { key: i.key, ok: false, status: 403, errorId: 'Forbidden', message: 'denied', advice: 'grant it' } : { key: i.key, ok: true, etag: `etag-${i.key}` }));
  }
  async deletePhotos(items: readonly PhotoDeleteItem[]): Promise<WriteResult[]> {
    this.deletes.push([...items]);
    return items.map((i) => ({ key: i.key, ok: true }));
  }
  async close(): Promise<void> {}
}

function decision(n: number, action: Decision['action'], route: Route = 'graph'): Decision {
  const user = {
    upn: `u${n}@corp`, dn: `CN=u${n}`, objectGuid: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, immutableId: 'x', sAMAccountName: null, displayName: null,
    cloudId: `c${n}`, matchedBy: 'immutableId', status: 'missing-in-cloud', reason: '', distance: null, route, routeWhy: '', sourceOrigin: 'thumbnailPhoto',
    sourceSha256: `src${n}`, sourcePhash: `ph${n}`, cloudEtag: null, cloudPhash: null,
  } satisfies ClassifiedUser;
  return { user, status: user.status, action, reason: 'cloud has no photo', route, retry: false };
}

describe('apply', () => {
  let spool: PhotoSpool;
  beforeEach(async () => {
    spool = await createPhotoSpool();
  });
  afterEach(async () => {
    await spool.dispose();
  });

  it('writes through each route in batches, records pushes, failures and audit lines', async () => {
    const decisions = [...Array.from({ length: 5 }, (_, i) => decision(i, 'set')), decision(5, 'set', 'exchange-onprem'), decision(6, 'skip')];
    for (const d of decisions) await spool.put(d.user.objectGuid, { jpeg: Buffer.from(`jpeg-${d.user.objectGuid}`), print: { sha256: `pushed-${d.user.cloudId}`, phash: 'pp', width: 1, height: 1 } });
    const graph = new FakeWriter('graph', new Set([decisions[1]?.user.objectGuid as string]));
    const exchange = new FakeWriter('exchange-onprem');
    const state = openMemoryStore();
    const audit: unknown[] = [];
    const out = await applyPlan(decisions, { writers: { graph, 'exchange-onprem': exchange }, spool, recorder: createRecorder({ state, runId: 'run1', audit: { path: '', write: (e) => audit.push(e), close: () => {} } }), batchSize: 2 });
    assert.deepEqual(graph.sets.map((b) => b.length), [2, 2, 1]);
    assert.equal(graph.sets[0]?.[0]?.identity, 'c0');
    assert.equal(graph.sets[0]?.[0]?.jpeg.toString(), `jpeg-${decisions[0]?.user.objectGuid}`);
    assert.equal(exchange.sets[0]?.[0]?.identity, 'u5@corp');
    assert.deepEqual([out.ok, out.failed], [5, 1]);
    const ok = state.getUser(decisions[0]?.user.objectGuid as string);
    assert.equal(ok?.pushedSha256, 'pushed-c0');
    assert.equal(ok?.cloudEtagAfterPush, `etag-${decisions[0]?.user.objectGuid}`);
    assert.equal(ok?.sourceSha256, 'src0');
    const bad = state.getUser(decisions[1]?.user.objectGuid as string);
    assert.equal(bad?.lastResult, 'error');
    assert.equal(bad?.attempts, 1);
    assert.match(bad?.lastError ?? '', /Forbidden 403: denied: grant it/);
    assert.equal(audit.length, 6);
  });

  it('fails the users of a route without a writer and carries on', async () => {
    const decisions = [decision(1, 'delete', 'exchange-legacy'), decision(2, 'delete')];
    const graph = new FakeWriter('graph');
    const out = await applyPlan(decisions, { writers: { graph }, spool, recorder: createRecorder({ state: openMemoryStore(), runId: 'r' }) });
    assert.equal(out.failed, 1);
    assert.equal(out.applied.find((a) => !a.result.ok)?.result.errorId, 'NoWriterForRoute');
    assert.equal(graph.deletes[0]?.length, 1);
  });

  it('turns a writer that throws into retryable per-user failures; the other routes are still written', async () => {
    const decisions = [decision(0, 'set', 'exchange-onprem'), decision(1, 'set', 'exchange-onprem'), decision(2, 'delete', 'exchange-onprem'), decision(3, 'set')];
    for (const d of decisions) await spool.put(d.user.objectGuid, { jpeg: Buffer.from('j'), print: { sha256: 's', phash: 'p', width: 1, height: 1 } });
    let calls = 0;
    const broken: PhotoWriter = {
      route: 'exchange-onprem',
      setPhotos: async () => {
        calls += 1;
        throw Object.assign(new Error('pwsh not found'), { advice: 'install PowerShell 7' });
      },
      deletePhotos: async () => {
        calls += 1;
        throw new Error('unreachable');
      },
      close: async () => {},
    };
    const graph = new FakeWriter('graph');
    const state = openMemoryStore();
    const out = await applyPlan(decisions, { writers: { graph, 'exchange-onprem': broken }, spool, recorder: createRecorder({ state, runId: 'r' }), batchSize: 1 });
    assert.equal(calls, 1, 'a broken writer is not called again for the next batches');
    assert.deepEqual([out.ok, out.failed], [1, 3]);
    assert.equal(graph.sets.length, 1);
    const failed = out.applied.filter((a) => !a.result.ok).map((a) => a.result);
    assert.ok(failed.every((r) => r.errorId === 'WriterUnavailable' && r.retryable === true && r.advice === 'install PowerShell 7'));
    assert.match(failed[0]?.message ?? '', /exchange-onprem writer cannot work: pwsh not found/);
    assert.deepEqual(state.usersWithPendingErrors().map((u) => u.objectGuid).sort(), decisions.slice(0, 3).map((d) => d.user.objectGuid).sort());
  });

  it('lets configuration and sign-in errors stop the run instead of failing users one by one', async () => {
    const d = decision(0, 'set');
    await spool.put(d.user.objectGuid, { jpeg: Buffer.from('j'), print: { sha256: 's', phash: 'p', width: 1, height: 1 } });
    const authError = new CloudAuthError('AADSTS7000222: the client secret has expired');
    const writer: PhotoWriter = { route: 'graph', setPhotos: async () => Promise.reject(authError), deletePhotos: async () => [], close: async () => {} };
    const state = openMemoryStore();
    await assert.rejects(applyPlan([d], { writers: { graph: writer }, spool, recorder: createRecorder({ state, runId: 'r' }) }), /AADSTS7000222/);
    assert.equal(state.getUser(d.user.objectGuid), undefined, 'nothing recorded as a per-user failure');
  });

  it('does not tie the pushed fingerprint to an etag that did not change', async () => {
    const d = decision(0, 'set');
    const stale = { ...d, user: { ...d.user, cloudEtag: 'same-etag', status: 'drifted' as const } };
    await spool.put(d.user.objectGuid, { jpeg: Buffer.from('j'), print: { sha256: 's', phash: 'pushed', width: 1, height: 1 } });
    const writer: PhotoWriter = { route: 'graph', setPhotos: async (items) => items.map((i) => ({ key: i.key, ok: true, etag: 'same-etag' })), deletePhotos: async () => [], close: async () => {} };
    const state = openMemoryStore();
    state.recordCloudSeen({ objectGuid: d.user.objectGuid, etag: 'same-etag', phash: 'old-cloud' });
    await applyPlan([stale], { writers: { graph: writer }, spool, recorder: createRecorder({ state, runId: 'r' }) });
    const u = state.getUser(d.user.objectGuid);
    assert.notEqual(u?.cloudPhash, 'pushed');
  });

  it('spool keeps the first bytes in memory and the rest on disk in a private folder, and removes them', async () => {
    const s = await createPhotoSpool(undefined, 8);
    const print = { sha256: 's', phash: 'p', width: 1, height: 1 };
    await s.put('k', { jpeg: Buffer.from('abcde'), print });
    await s.put('l', { jpeg: Buffer.from('fghij'), print }); // over the 8-byte budget: a file
    await s.put('m', { jpeg: Buffer.from('xyz'), print }); // fits next to k
    assert.deepEqual(readdirSync(s.dir).filter((f) => f.endsWith('.jpg')), ['1.jpg']);
    assert.equal(statSync(join(s.dir, '1.jpg')).mode & 0o777, 0o600);
    assert.deepEqual(await Promise.all(['k', 'l', 'm'].map(async (k) => (await s.get(k)).jpeg.toString())), ['abcde', 'fghij', 'xyz']);
    assert.equal(statSync(s.dir).mode & 0o777, 0o700);
    await s.dispose();
    assert.equal(s.has('k'), false);
    assert.equal(existsSync(s.dir), false);
  });

  it('a new spool removes the spools of dead processes, not of live ones', async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const parent = await mkdtemp(join(tmpdir(), 'hps-sweep-'));
    try {
      const dead = join(parent, 'hps-spool-dead');
      const live = join(parent, 'hps-spool-live');
      const other = join(parent, 'unrelated');
      for (const d of [dead, live, other]) await mkdir(d);
      await writeFile(join(dead, 'owner.pid'), '2147483646\n'); // no such process
      await writeFile(join(live, 'owner.pid'), `${process.ppid}\n`);
      await writeFile(join(other, 'owner.pid'), '2147483646\n');
      const s = await createPhotoSpool(parent);
      assert.deepEqual([existsSync(dead), existsSync(live), existsSync(other), existsSync(s.dir)], [false, true, true, true]);
      await s.dispose();
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

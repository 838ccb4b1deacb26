import assert from 'node:assert/strict';
import { applyPlan } from '../../src/sync/apply/apply.js';
import { createRecorder } from '../../src/sync/apply/record.js';
import { createPhotoSpool, type PhotoSpool } from '../../src/sync/apply/spool.js';
import type { PhotoSetItem, PhotoWriter, WriteResult } from '../../src/sync/apply/writer.js';
import { CloudAuthError } from '../../src/cloud/errors.js';
import type { Decision } from '../../src/sync/decide/plan.js';
import { openMemoryStore } from '../../src/state/index.js';
import { classified } from '../support/fakes.js';

function toPush(n: number): Decision {
  const user = classified(n, { status: 'missing-in-cloud', cloudEtag: null, cloudPhash: null });
  return { user, status: user.status, action: 'set', reason: 'cloud has no photo', route: 'graph', retry: false };
}

/** A writer of independent items (as the Graph writer is): one item a call, several calls at once. */
function itemWriter(write: (item: PhotoSetItem) => Promise<WriteResult>, callsAtOnce: number | (() => number)): PhotoWriter & { calls: number; peak: number } {
  let running = 0;
  const w = {
    route: 'graph' as const,
    schedule: { batchSize: 1, callsAtOnce },
    calls: 0,
    peak: 0,
    async setPhotos(items: readonly PhotoSetItem[], onResult?: (r: WriteResult) => void): Promise<WriteResult[]> {
      w.calls += 1;
      running += 1;
      w.peak = Math.max(w.peak, running);
      try {
        const out = await Promise.all(items.map(write));
        out.forEach((r) => onResult?.(r));
        return out;
      } finally {
        running -= 1;
      }
    },
    deletePhotos: async () => [],
    close: async () => {},
  };
  return w;
}

describe('apply schedule (writers of independent items)', () => {
  let spool: PhotoSpool;
  beforeEach(async () => {
    spool = await createPhotoSpool();
  });
  afterEach(async () => {
    await spool.dispose();
  });

  async function spooled(n: number): Promise<Decision[]> {
    const ds = Array.from({ length: n }, (_, i) => toPush(i));
    for (const d of ds) await spool.put(d.user.objectGuid, { jpeg: Buffer.from(d.user.objectGuid), print: { sha256: 's', phash: 'p', width: 648, height: 648 } });
    return ds;
  }

  it('one slow item (waiting out a Retry-After) holds up nobody: the others are written and recorded meanwhile', async () => {
    const ds = await spooled(12);
    const slowKey = ds[0]?.user.objectGuid;
    const state = openMemoryStore();
    const recorded = (): number => ds.filter((d) => state.getUser(d.user.objectGuid)?.pushedSha256 === 's').length;
    let recordedWhenSlowAnswered = -1;
    const writer = itemWriter(async (item) => {
      // Every item takes a turn of the event loop; the slow one waits until the others are recorded (as a 429 waits
      // out its Retry-After), or gives up after 2,000 turns: batches in lock-step would never get there.
      for (let turns = 0; turns < (item.key === slowKey ? 2000 : 1) && recorded() < ds.length - 1; turns++) await new Promise((r) => setImmediate(r));
      if (item.key === slowKey) recordedWhenSlowAnswered = recorded();
      return { key: item.key, ok: true, etag: `e-${item.key}` };
    }, 3);
    const out = await applyPlan(ds, { writers: { graph: writer }, spool, recorder: createRecorder({ state, runId: 'r' }) });
    assert.equal(out.ok, 12);
    assert.equal(recordedWhenSlowAnswered, 11, 'the other 11 users were written and recorded while the slow one waited');
    assert.equal(writer.calls, 12, 'one item a call');
    assert.ok(writer.peak >= 2 && writer.peak <= 3, `calls at once: ${writer.peak}; several, never more than the schedule allows`);
  });

  it('a run-stopping error starts no further calls and is raised once the running ones are done', async () => {
    const ds = await spooled(10);
    const state = openMemoryStore();
    let started = 0;
    let finishedAfterFailure = 0;
    let failed = false;
    const writer = itemWriter(async (item) => {
      started += 1;
      if (started === 2) {
        failed = true;
        throw new CloudAuthError('AADSTS7000222: the client secret has expired');
      }
      await new Promise((r) => setTimeout(r, 5));
      if (failed) finishedAfterFailure += 1;
      return { key: item.key, ok: true };
    }, 3);
    await assert.rejects(applyPlan(ds, { writers: { graph: writer }, spool, recorder: createRecorder({ state, runId: 'r' }) }), /AADSTS7000222/);
    assert.ok(started <= 3, `${started} calls started; no call may start after the failure`);
    assert.equal(finishedAfterFailure, started - 1, 'the calls already running were awaited before the error was raised');
  });

  it('calls at once follow a schedule that grows as calls finish (a budget whose allowance grows)', async () => {
    const ds = await spooled(40);
    const state = openMemoryStore();
    let allowance = 2;
    let finished = 0;
    let peakBeforeGrowth = -1;
    const writer = itemWriter(async (item) => {
      await new Promise((r) => setTimeout(r, 2));
      finished += 1;
      if (finished === 6) {
        peakBeforeGrowth = writer.peak;
        allowance = 8; // the budget grew
      }
      return { key: item.key, ok: true, etag: `e-${item.key}` };
    }, () => allowance);
    const out = await applyPlan(ds, { writers: { graph: writer }, spool, recorder: createRecorder({ state, runId: 'r' }) });
    assert.equal(out.ok, 40);
    assert.equal(writer.calls, 40);
    assert.equal(peakBeforeGrowth, 2, 'two at a time before the budget grew');
    assert.equal(writer.peak, 8, `calls at once reached the grown allowance (peak ${writer.peak})`);
  });
});

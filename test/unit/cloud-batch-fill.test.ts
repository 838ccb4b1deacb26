import assert from 'node:assert/strict';
import { createBatcher } from '../../src/cloud/batch.js';
import { createLimiter } from '../../src/cloud/limiter.js';
import { connection, meta, simulatedGraph, tick } from '../support/simulated-graph.js';

describe('cloud budget: full batches under a steady stream of work', () => {
  it('a waiter that needs several units waits for them, capped at the allowance; a single-unit request behind it uses a free unit meanwhile', async () => {
    const l = createLimiter(4);
    const a = await l.acquire(3);
    const order: string[] = [];
    const b = l.acquire(4, { atLeast: () => 4 }).then((x) => (order.push('b'), x));
    const c = l.acquire(1).then((x) => (order.push('c'), x));
    const d = l.acquire(4, { atLeast: () => 2 }).then((x) => (order.push('d'), x));
    await tick();
    assert.deepEqual(order, ['c'], 'b waits for 4; c takes the one free unit; d, needing several too, waits behind b');
    a.release();
    await tick();
    assert.deepEqual(order, ['c'], 'three free: still not the four b waits for');
    (await c).release();
    assert.equal((await b).units, 4);
    (await b).release();
    assert.equal((await d).units, 4);
    assert.deepEqual(order, ['c', 'b', 'd']);
    const small = createLimiter(4, { initial: 2 });
    assert.equal((await small.acquire(4, { atLeast: () => 4 })).units, 2, 'never more than the allowance is waited for');
  });

  /** Users streaming through a window of 64 (each replaced as it completes): a metadata item, then a download for some. */
  async function streamUsers(scope: 'app' | 'mailbox', ceiling: number, users: number, downloads: boolean) {
    const sim = simulatedGraph(scope);
    const limiter = createLimiter(ceiling, scope === 'app' && ceiling === 4 ? { probeAfter: 1e9 } : {});
    const { http, retry } = connection(sim.fetch, limiter);
    const batcher = createBatcher(http, retry);
    let next = 0;
    const user = async (): Promise<void> => {
      while (next < users) {
        const i = next++;
        assert.equal((await batcher.submit(meta(i))).status, 200);
        if (downloads && i % 3 === 0) assert.equal((await http.send({ method: 'GET', path: `/users/u${i}/photos/240x240/$value` })).status, 200);
      }
    };
    await Promise.all(Array.from({ length: 64 }, user));
    assert.equal(sim.seen.items - sim.seen.throttled, users, "every item answered once (a 429 is sent again)");
    return { sim, limiter };
  }

  it('users streaming through a window (metadata, then a download for some) are read in full batches, not 2-item ones', async () => {
    const { sim } = await streamUsers('app', 4, 400, true);
    assert.equal(sim.seen.throttled, 0);
    assert.ok(sim.seen.batches <= 400 / 12, `${sim.seen.batches} batches for 400 items: mostly full ones`);
  });

  it('a stream of batches alone (a no-change rerun) still finds that the service counts per mailbox, and uses the ceiling', async () => {
    const { sim, limiter } = await streamUsers('mailbox', 16, 1200, false);
    assert.equal(limiter.stats().peakAllowance, 16);
    assert.ok(sim.seen.peak > 8, `more than two full batches in flight at once (peak ${sim.seen.peak})`);
    assert.equal(sim.seen.throttled, 0);
  });

  it('under a per-app service the same stream costs a few 429s per run: levels above the answered one are probed with one item', async () => {
    const { sim, limiter } = await streamUsers('app', 16, 1200, false);
    assert.ok(sim.seen.throttled <= 6, `${sim.seen.throttled} answers 429 for 1,200 items`);
    assert.ok(limiter.concurrency <= 5, `the budget stays at the service's 4 (a probe at most): ${limiter.concurrency}`);
  });
});

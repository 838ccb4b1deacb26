import assert from 'node:assert/strict';
import { createBatcher } from '../../src/cloud/batch.js';
import { createLimiter, DEFAULT_MAX_IN_FLIGHT, DOCUMENTED_IN_FLIGHT } from '../../src/cloud/limiter.js';
import type { FetchLike } from '../../src/cloud/tls.js';
import { connection, meta, simulatedGraph, tick } from '../support/simulated-graph.js';


describe('cloud/limiter (the in-flight budget)', () => {
  it('starts at the documented 4 under a ceiling of 16 by default, and rejects nonsense', () => {
    const l = createLimiter();
    assert.equal(DEFAULT_MAX_IN_FLIGHT, 16);
    assert.equal(l.concurrency, DOCUMENTED_IN_FLIGHT);
    assert.equal(l.maxConcurrency, 16);
    assert.equal(createLimiter(2).concurrency, 2);
    assert.throws(() => createLimiter(0), RangeError);
    assert.throws(() => createLimiter(1.5), RangeError);
  });

  it('halves on a 429 once per round, and regrows fast only up to what others held when it was refused', async () => {
    const l = createLimiter(16, { initial: 8 });
    const leases = await Promise.all(Array.from({ length: 8 }, () => l.acquire(1)));
    l.feedback(429, leases[7]); // refused at level 8 with 7 held by others
    assert.equal(l.concurrency, 4);
    l.feedback(429, leases[6]); // sent before the cut: the same event
    assert.equal(l.concurrency, 4);
    leases.forEach((x) => x.release());
    for (let i = 0; i < 10; i++) {
      const x = await l.acquire(l.concurrency); // a request sent with the whole allowance in use
      l.feedback(200, x);
      x.release();
    }
    assert.equal(l.concurrency, 7, 'back to the threshold (7) and no further without a long run of successes');
    l.feedback(503);
    assert.equal(l.concurrency, 7, 'server trouble says nothing about concurrency');
    assert.equal(l.stats().throttled, 2);
  });

  it('grants up to the requested units from what is free, first come first served', async () => {
    const l = createLimiter(4);
    const a = await l.acquire(3);
    assert.equal(a.units, 3);
    const b = await l.acquire(4);
    assert.equal(b.units, 1, 'one unit was free');
    let granted = false;
    const c = l.acquire(1).then((x) => ((granted = true), x));
    await tick();
    assert.equal(granted, false);
    a.release();
    const got = await c;
    assert.equal(got.units, 1);
    assert.equal(l.inFlight, 2);
  });

  it('batch items and plain requests share one budget: a batch holds up to 4 units while its items run', async () => {
    const sim = simulatedGraph('app');
    const limiter = createLimiter(4, { probeAfter: 1e9 });
    const { http, retry } = connection(sim.fetch, limiter);
    const batcher = createBatcher(http, retry);
    const items = Promise.all(Array.from({ length: 60 }, (_, i) => batcher.submit(meta(i))));
    const plain = Promise.all(Array.from({ length: 12 }, (_, i) => http.send({ method: 'PUT', path: `/users/w${i}/photo/$value`, body: Buffer.from('x') })));
    const [answers, puts] = await Promise.all([items, plain]);
    assert.ok(answers.every((a) => a.status === 200));
    assert.ok(puts.every((p) => p.status === 200));
    assert.equal(sim.seen.throttled, 0, 'never more units in flight than the service allows');
    assert.equal(sim.seen.peak, 4);
    assert.equal(limiter.stats().requests, 72, '60 items + 12 plain requests counted as units of work');
  });

  it('a 429 on one item does not stop unrelated items or requests: only that item waits its Retry-After', async () => {
    const limiter = createLimiter(4);
    let release: () => void = () => undefined;
    const waits: number[] = [];
    // The throttled item's wait never ends until we say so.
    const sleep = (ms: number) => (waits.push(ms), new Promise<void>((r) => (release = r)));
    let round = 0;
    const fetch: FetchLike = async (url, init) => {
      if (String(url).endsWith('/$batch')) {
        round += 1;
        const { requests } = JSON.parse(Buffer.from(init?.body as Uint8Array).toString()) as { requests: Array<{ id: string; url: string }> };
        const responses = requests.map((r) =>
          r.url === '/users/u0/photo' && round === 1 ? { id: r.id, status: 429, headers: { 'Retry-After': '30' } } : { id: r.id, status: 200, headers: {}, body: {} },
        );
        return new Response(JSON.stringify({ responses }), { status: 200 });
      }
      return new Response('{}', { status: 200 });
    };
    const { http, retry } = connection(fetch, limiter, sleep);
    const batcher = createBatcher(http, retry);
    const throttled = batcher.submit(meta(0));
    const others = await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(meta(i))));
    assert.ok(others.every((o) => o.status === 200), 'items in the same batch are answered');
    const later = await Promise.all([6, 7, 8].map((i) => batcher.submit(meta(i))));
    assert.ok(later.every((o) => o.status === 200), 'later items go out while the throttled one waits');
    assert.equal((await http.send({ method: 'GET', path: '/users/x' })).status, 200, 'plain requests too');
    assert.deepEqual(waits, [30_000]);
    release();
    const r = await throttled;
    assert.equal(r.status, 200);
    assert.equal(r.tries, 2);
    assert.equal(limiter.stats().waitedMs, 30_000);
  });

  for (const scope of ['mailbox', 'app'] as const) {
    it(`${scope === 'mailbox' ? 'grows to the ceiling when the service counts per mailbox' : 'settles at 4 with next to no 429s when the service counts per app'}`, async () => {
      const sim = simulatedGraph(scope);
      const limiter = createLimiter(16);
      // The allowance each request was sent under: "settles" is judged over the run, not by where a probe stands at its end.
      const sentAt: number[] = [];
      const { http, retry } = connection((url, init) => (sentAt.push(limiter.concurrency), sim.fetch(url, init)), limiter);
      const batcher = createBatcher(http, retry);
      const n = 3000;
      const answers = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          i % 10 === 9 ? http.send({ method: 'PUT', path: `/users/u${i}/photo/$value`, body: Buffer.from('x') }) : batcher.submit(meta(i)),
        ),
      );
      assert.ok(answers.every((a) => a.status === 200), 'every request answered in the end');
      const stats = limiter.stats();
      if (scope === 'mailbox') {
        assert.equal(stats.peakAllowance, 16);
        assert.equal(limiter.concurrency, 16);
        assert.equal(sim.seen.throttled, 0);
        assert.ok(sim.seen.peak > 4, `more than 4 in flight (peak ${sim.seen.peak})`);
      } else {
        const atMost4 = sentAt.filter((a) => a <= 4).length / sentAt.length;
        assert.ok(atMost4 >= 0.95, `settles at 4: ${(atMost4 * 100).toFixed(1)}% of requests sent at an allowance ≤ 4 (peak ${stats.peakAllowance})`);
        assert.ok(limiter.concurrency <= 5, `at most a probe above 4 at the end, got ${limiter.concurrency}`);
        assert.ok(sim.seen.throttled <= n * 0.01, `429s ≤ 1% of requests: ${sim.seen.throttled} of ${n}`);
        assert.ok(sim.seen.throttled > 0, 'it did probe above 4');
      }
    });
  }
});

import assert from 'node:assert/strict';
import nock from 'nock';
import { runBatch } from '../../src/cloud/batch.js';
import { createGraphHttp } from '../../src/cloud/http.js';
import { createLimiter, DEFAULT_MAX_IN_FLIGHT } from '../../src/cloud/limiter.js';
import { createRetryPolicy } from '../../src/cloud/retry.js';

const G = 'https://graph.microsoft.com';

describe('cloud/limiter', () => {
  it('defaults to 4 in flight and rejects nonsense', () => {
    const l = createLimiter();
    assert.equal(DEFAULT_MAX_IN_FLIGHT, 4);
    assert.equal(l.concurrency, 4);
    assert.equal(l.maxConcurrency, 4);
    assert.throws(() => createLimiter(0), RangeError);
    assert.throws(() => createLimiter(1.5), RangeError);
  });

  it('halves on 429 (not below 1) and adds one back per window of successes (not above the max)', () => {
    const l = createLimiter(8);
    l.feedback(429);
    assert.equal(l.concurrency, 4);
    l.feedback(429);
    l.feedback(429);
    l.feedback(429);
    assert.equal(l.concurrency, 1);
    l.feedback(200);
    assert.equal(l.concurrency, 2);
    l.feedback(404); // an answer is an answer: the service coped
    assert.equal(l.concurrency, 2);
    l.feedback(204);
    assert.equal(l.concurrency, 3);
    l.feedback(503); // server trouble says nothing about our concurrency
    assert.equal(l.concurrency, 3);
    for (let i = 0; i < 100; i++) l.feedback(200);
    assert.equal(l.concurrency, 8);
  });

  it('runs no more tasks at once than the current allowance', async () => {
    const l = createLimiter(4);
    l.feedback(429); // → 2
    let active = 0;
    let peak = 0;
    let started = 0;
    const gates: (() => void)[] = [];
    const tasks = Array.from({ length: 6 }, () =>
      l(async () => {
        started++;
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((r) => gates.push(r));
        active--;
      }),
    );
    // Let one task finish per turn of the event loop until all six have started.
    for (let spins = 0; started < 6 && spins < 1000; spins++) {
      await new Promise((r) => setImmediate(r));
      gates.shift()?.();
    }
    gates.forEach((g) => g());
    await Promise.all(tasks);
    assert.equal(started, 6);
    assert.equal(peak, 2);
  });
});

describe('cloud/batch under throttling', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('shrinks batches to the limiter allowance after 429s and grows them back by one per clean batch', async () => {
    const limiter = createLimiter(4);
    const retry = createRetryPolicy({ sleep: async () => {}, random: () => 0.5 });
    const http = createGraphHttp({ graphBaseUrl: G, tokens: { getToken: async () => 'tok' }, fetch: (u, i) => globalThis.fetch(u, i), limiter, retry });
    const sizes: number[] = [];
    nock(G)
      .post('/v1.0/$batch')
      .times(20)
      .reply(200, (_uri, body) => {
        const requests = (body as { requests: { id: string }[] }).requests;
        sizes.push(requests.length);
        // The first batch: all but two items throttled, like a service allowing 2 in flight.
        const first = sizes.length === 1;
        return { responses: requests.map((r, i) => ({ id: r.id, status: first && i >= 2 ? 429 : 200, headers: first ? { 'Retry-After': '0.01' } : {} })) };
      });
    const results = await runBatch(
      http,
      retry,
      Array.from({ length: 24 }, (_, i) => ({ key: `k${i}`, method: 'GET' as const, url: `/users/u${i}/photo` })),
    );
    // 20; 18 throttled items halve the allowance to 1; the other 4 of round one go as 1, 2, (the last) 1;
    // the 18 retried items follow in batches growing by one: 4, 5, 6, (the last) 3.
    assert.deepEqual(sizes, [20, 1, 2, 1, 4, 5, 6, 3]);
    assert.equal(limiter.concurrency, 4, 'back to full allowance after the clean batches');
    assert.ok([...results.values()].every((r) => r.status === 200));
  });
});

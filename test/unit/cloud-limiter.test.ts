import assert from 'node:assert/strict';
import { createBatcher } from '../../src/cloud/batch.js';
import { createGraphHttp, type GraphHttp } from '../../src/cloud/http.js';
import { createLimiter, DEFAULT_MAX_IN_FLIGHT, DOCUMENTED_IN_FLIGHT, type Limiter } from '../../src/cloud/limiter.js';
import { createRetryPolicy, type RetryPolicy } from '../../src/cloud/retry.js';
import type { FetchLike } from '../../src/cloud/tls.js';

const G = 'https://graph.microsoft.com';
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * A Graph stand-in with injected timing: every request or batch item holds a service slot for `ticks` turns of the
 * event loop; slots are counted per app (`app`) or per app per user (`mailbox`), 4 each; over the limit → 429 with
 * Retry-After. A $batch runs at most 4 of its items at a time, like Graph. Records the peak of slots held.
 */
function simulatedGraph(scope: 'app' | 'mailbox', ticks = 3) {
  const held = new Map<string, number>();
  const seen = { peak: 0, total: 0, throttled: 0, items: 0, plain: 0 };
  const mailbox = (url: string): string => (scope === 'app' ? 'app' : (/\/users\/([^/?]+)/.exec(url)?.[1] ?? 'none'));
  async function one(url: string): Promise<{ status: number; headers: Record<string, string> }> {
    const key = mailbox(url);
    if ((held.get(key) ?? 0) >= 4) {
      seen.throttled += 1;
      return { status: 429, headers: { 'Retry-After': '0.01' } };
    }
    held.set(key, (held.get(key) ?? 0) + 1);
    seen.total += 1;
    seen.peak = Math.max(seen.peak, seen.total);
    for (let i = 0; i < ticks; i++) await tick();
    held.set(key, (held.get(key) ?? 1) - 1);
    seen.total -= 1;
    return { status: 200, headers: {} };
  }
  const fetch: FetchLike = async (url, init) => {
    const u = String(url);
    if (u.endsWith('/$batch')) {
      const { requests } = JSON.parse(String(init?.body)) as { requests: Array<{ id: string; url: string }> };
      const answers: unknown[] = [];
      for (let i = 0; i < requests.length; i += 4) {
        const group = requests.slice(i, i + 4);
        const done = await Promise.all(group.map((r) => one(r.url)));
        group.forEach((r, j) => answers.push({ id: r.id, ...done[j] }));
      }
      seen.items += requests.length;
      return new Response(JSON.stringify({ responses: answers }), { status: 200, headers: { 'content-type': 'application/json' } });
    }
    seen.plain += 1;
    const a = await one(u);
    return new Response(a.status === 200 ? '{}' : '{"error":{"code":"ApplicationThrottled"}}', { status: a.status, headers: a.headers });
  };
  return { fetch, seen };
}

function connection(fetch: FetchLike, limiter: Limiter, sleep: (ms: number) => Promise<void> = async () => tick()): { http: GraphHttp; retry: RetryPolicy } {
  const retry = createRetryPolicy({ sleep, random: () => 0.5, maxTries: 8, onWait: (ms) => limiter.waited(ms) });
  return { http: createGraphHttp({ graphBaseUrl: G, tokens: { getToken: async () => 'tok' }, fetch, limiter, retry }), retry };
}

const meta = (i: number) => ({ key: `u${i}`, method: 'GET' as const, url: `/users/u${i}/photo` });

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
        const { requests } = JSON.parse(String(init?.body)) as { requests: Array<{ id: string; url: string }> };
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
      const { http, retry } = connection(sim.fetch, limiter);
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
        assert.ok(limiter.concurrency <= 4, `settles at or below 4, got ${limiter.concurrency}`);
        assert.ok(sim.seen.throttled <= n * 0.01, `429s ≤ 1% of requests: ${sim.seen.throttled} of ${n}`);
        assert.ok(sim.seen.throttled > 0, 'it did probe above 4');
      }
    });
  }
});

import assert from 'node:assert/strict';
import { createBatcher, type BatchRequestItem } from '../../src/cloud/batch.js';
import { createGraphHttp } from '../../src/cloud/http.js';
import { createLimiter } from '../../src/cloud/limiter.js';
import { createRetryPolicy } from '../../src/cloud/retry.js';

const G = 'https://graph.microsoft.com';
const item = (i: number): BatchRequestItem => ({ key: `u${i}`, method: 'GET', url: `/users/u${i}/photo` });

/**
 * A fetch whose $batch answers send their status and headers at once and their body only when the test says so,
 * as a large envelope does on a real connection.
 */
function slowBodies() {
  const calls: Array<{ ids: string[]; finish: () => void }> = [];
  const fetch = async (_url: string, init?: RequestInit): Promise<Response> => {
    const requests = (JSON.parse(Buffer.from(init?.body as Uint8Array).toString()) as { requests: Array<{ id: string }> }).requests;
    let finish!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        finish = () => {
          controller.enqueue(new TextEncoder().encode(JSON.stringify({ responses: requests.map((r) => ({ id: r.id, status: 200, body: {} })) })));
          controller.close();
        };
      },
    });
    calls.push({ ids: requests.map((r) => r.id), finish: () => finish() });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetch };
}

const turns = (n = 10): Promise<void> => (n === 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => void turns(n - 1).then(r))));

describe('cloud/batch: a batch frees its units when its answer starts, not when its body has been read', () => {
  it('sends the next batch while the previous answer’s body is still on its way', async () => {
    const { calls, fetch } = slowBodies();
    const retry = createRetryPolicy({ sleep: async () => {}, random: () => 0.5, maxTries: 2 });
    const http = createGraphHttp({ graphBaseUrl: G, tokens: { getToken: async () => 'tok' }, fetch, limiter: createLimiter(4), retry });
    const batcher = createBatcher(http, retry);
    let settled = 0;
    const answers = Array.from({ length: 40 }, (_, i) => batcher.submit(item(i)).finally(() => (settled += 1)));
    await turns();
    assert.equal(calls.length, 2, 'the second batch went out although the first body has not arrived');
    assert.equal(settled, 0, 'no answer is known yet: both bodies are still on their way');
    for (const c of calls) c.finish();
    const results = await Promise.all(answers);
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(http.limiter.inFlight, 0);
  });
});

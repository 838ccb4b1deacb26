import assert from 'node:assert/strict';
import nock from 'nock';
import { batchBodyBytes, MAX_BATCH_BODY_CHARS, runBatch, type BatchRequestItem } from '../../src/cloud/batch.js';
import { GraphRequestError } from '../../src/cloud/errors.js';
import { createGraphHttp } from '../../src/cloud/http.js';
import { createLimiter } from '../../src/cloud/limiter.js';
import { createRetryPolicy } from '../../src/cloud/retry.js';

const G = 'https://graph.microsoft.com';

interface SentRequest {
  id: string;
  method: string;
  url: string;
}

function setup(maxTries = 5) {
  const sleeps: number[] = [];
  const retry = createRetryPolicy({ sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 10, maxTries });
  const http = createGraphHttp({
    graphBaseUrl: G,
    tokens: { getToken: async () => 'tok' },
    fetch: (url, init) => globalThis.fetch(url, init),
    limiter: createLimiter(4),
    retry,
  });
  return { http, retry, sleeps };
}

const items = (n: number): BatchRequestItem[] => Array.from({ length: n }, (_, i) => ({ key: `u${i}`, method: 'GET', url: `/users/u${i}/photo` }));

/** Intercepts every $batch POST; `answer` decides each item's response. Returns the list of batches seen. */
function interceptBatches(answer: (req: SentRequest, round: number) => { status: number; headers?: Record<string, string>; body?: unknown }) {
  const batches: SentRequest[][] = [];
  nock(G)
    .post('/v1.0/$batch')
    .times(50)
    .reply(200, (_uri, body) => {
      const requests = (body as { requests: SentRequest[] }).requests;
      batches.push(requests);
      return { responses: requests.map((r) => ({ id: r.id, ...answer(r, batches.length) })) };
    });
  return batches;
}

describe('cloud/batch', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('keeps a batch of uploads under the body allowance: large base64 bodies go in several batches', async () => {
    const { http, retry } = setup();
    const batches = interceptBatches(() => ({ status: 200 }));
    const photo = 'A'.repeat(Math.ceil(MAX_BATCH_BODY_CHARS / 3)); // three fit one batch, a fourth does not
    const uploads: BatchRequestItem[] = Array.from({ length: 7 }, (_, i) => ({ key: `p${i}`, method: 'PUT', url: `/users/p${i}/photo/$value`, headers: { 'content-type': 'image/jpeg' }, body: photo }));
    const results = await runBatch(http, retry, uploads);
    assert.ok([...results.values()].every((r) => r.status === 200));
    assert.deepEqual(batches.map((b) => b.length), [3, 3, 1]);
    const huge: BatchRequestItem = { key: 'huge', method: 'PUT', url: '/users/h/photo/$value', headers: { 'content-type': 'image/jpeg' }, body: 'A'.repeat(MAX_BATCH_BODY_CHARS + 10) };
    assert.equal((await runBatch(http, retry, [huge])).get('huge')?.status, 200, 'one item over the allowance still goes, alone');
  });

  it('sends 45 requests as 3 batches (20, 20, 5) and maps every answer back to its key', async () => {
    const { http, retry } = setup();
    const batches = interceptBatches((r) => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: { url: r.url } }));
    const results = await runBatch(http, retry, items(45));
    assert.deepEqual(
      batches.map((b) => b.length),
      [20, 20, 5],
    );
    assert.equal(results.size, 45);
    for (let i = 0; i < 45; i++) {
      const r = results.get(`u${i}`);
      assert.equal(r?.status, 200);
      assert.deepEqual(r?.body, { url: `/users/u${i}/photo` }, `u${i}`);
      assert.equal(r?.headers['content-type'], 'application/json');
      assert.equal(r?.tries, 1);
    }
    // ids are unique within each batch
    for (const b of batches) assert.equal(new Set(b.map((r) => r.id)).size, b.length);
  });

  it('re-batches only the items that came back 429/503/504, each after its own Retry-After', async () => {
    const { http, retry, sleeps } = setup();
    const batches = interceptBatches((r, round) => {
      if (round === 1 && r.url === '/users/u1/photo') return { status: 429, headers: { 'Retry-After': '1.5' } };
      if (round === 1 && r.url === '/users/u2/photo') return { status: 503, headers: { 'Retry-After': '0.25' } };
      if (round === 1 && r.url === '/users/u3/photo') return { status: 404, body: { error: { code: 'ImageNotFound' } } };
      return { status: 200, body: {} };
    });
    const results = await runBatch(http, retry, items(5));
    assert.equal(batches.length, 2);
    assert.deepEqual(batches[1]!.map((r) => r.url).sort(), ['/users/u1/photo', '/users/u2/photo']);
    assert.deepEqual(sleeps, [1500, 250]);
    assert.equal(results.get('u1')?.status, 200);
    assert.equal(results.get('u1')?.tries, 2);
    assert.equal(results.get('u2')?.status, 200);
    assert.equal(results.get('u3')?.status, 404);
    assert.equal(results.get('u3')?.tries, 1);
  });

  it('stops re-batching an item after the bound of tries and reports its last status', async () => {
    const { http, retry, sleeps } = setup(3);
    const batches = interceptBatches((r) => (r.url === '/users/u0/photo' ? { status: 429, headers: { 'retry-after': '0.05' } } : { status: 200 }));
    const results = await runBatch(http, retry, items(2));
    assert.equal(batches.length, 3);
    assert.equal(results.get('u0')?.status, 429);
    assert.equal(results.get('u0')?.tries, 3);
    assert.equal(results.get('u1')?.tries, 1);
    assert.deepEqual(sleeps, [50, 50]);
  });

  it('when the $batch call itself fails (after its own retries), every item carries the status and an error, and is not re-batched', async () => {
    const { http, retry } = setup(2);
    const scope = nock(G).post('/v1.0/$batch').times(2).reply(503, { error: { code: 'ServiceUnavailable' } });
    const results = await runBatch(http, retry, items(3));
    assert.ok(scope.isDone());
    for (const r of results.values()) {
      assert.equal(r.status, 503);
      assert.equal(r.error?.errorId, 'BatchFailed');
      assert.equal(r.error?.retryable, true);
    }
    assert.equal(results.size, 3);
  });

  it('when Graph cannot be reached at all (no HTTP answer after the retries), it throws instead of failing the items', async () => {
    const { http, retry } = setup(2);
    const scope = nock(G).post('/v1.0/$batch').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:443' });
    await assert.rejects(runBatch(http, retry, items(3)), (err: unknown) => {
      assert.ok(err instanceof GraphRequestError);
      assert.equal(err.status, undefined);
      assert.equal(err.errorId, 'NetworkError');
      assert.match(err.message, /^POST .*\/\$batch failed after \d+ (try|tries): connect ECONNREFUSED/);
      return true;
    });
    assert.ok(scope.isDone());
  });

  it('decodes base64 item bodies to bytes; JSON bodies re-serialise; nothing is empty', () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43, 0xff, 0xd9]);
    assert.ok(batchBodyBytes({ body: bytes.toString('base64') }).equals(bytes));
    assert.equal(batchBodyBytes({ body: { a: 1 } }).toString(), '{"a":1}');
    assert.equal(batchBodyBytes({ body: undefined }).length, 0);
  });
});

import assert from 'node:assert/strict';
import nock from 'nock';
import type { TokenProvider } from '../../src/cloud/auth.js';
import { GraphRequestError } from '../../src/cloud/errors.js';
import { createGraphHttp } from '../../src/cloud/http.js';
import { createLimiter, type Limiter } from '../../src/cloud/limiter.js';
import { createRetryPolicy } from '../../src/cloud/retry.js';
import type { FetchLike } from '../../src/cloud/tls.js';

const G = 'https://graph.microsoft.com';

function countingTokens(): TokenProvider & { calls: boolean[] } {
  const calls: boolean[] = [];
  return {
    calls,
    async getToken(force = false) {
      calls.push(force);
      return `tok-${calls.length}`;
    },
  };
}

function setup(opts: { fetch?: FetchLike; limiter?: Limiter; maxTries?: number } = {}) {
  const sleeps: number[] = [];
  const tokens = countingTokens();
  const retry = createRetryPolicy({ sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 10, maxTries: opts.maxTries ?? 5 });
  const http = createGraphHttp({
    graphBaseUrl: `${G}/`,
    tokens,
    fetch: opts.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    limiter: opts.limiter ?? createLimiter(4),
    retry,
  });
  return { http, tokens, sleeps, retry };
}

describe('cloud/http', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('sends the bearer token to the versioned URL and returns status, headers and body', async () => {
    const { http } = setup();
    const scope = nock(G, { reqheaders: { authorization: 'Bearer tok-1', 'user-agent': /hybrid-photo-sync/ } })
      .get('/beta/admin/people/photoUpdateSettings')
      .reply(200, { source: 'cloud' }, { 'request-id': 'r1' });
    const res = await http.send({ method: 'GET', version: 'beta', path: '/admin/people/photoUpdateSettings' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { source: 'cloud' });
    assert.equal(res.headers.get('request-id'), 'r1');
    assert.equal(res.tries, 1);
    assert.ok(scope.isDone());
  });

  it('retries a 429 after its fractional Retry-After (2.128 s → 2128 ms)', async () => {
    const { http, sleeps } = setup();
    nock(G).get('/v1.0/users/u1').reply(429, { error: { code: 'TooManyRequests' } }, { 'Retry-After': '2.128' });
    nock(G).get('/v1.0/users/u1').reply(200, { id: 'u1' });
    const res = await http.send({ method: 'GET', path: '/users/u1' });
    assert.equal(res.status, 200);
    assert.equal(res.tries, 2);
    assert.deepEqual(sleeps, [2128]);
  });

  it('hands back the last 503 when tries run out (bounded), without throwing', async () => {
    const { http, sleeps } = setup({ maxTries: 3 });
    const scope = nock(G).get('/v1.0/users').times(3).reply(503, '', { 'Retry-After': '0.01' });
    const res = await http.send({ method: 'GET', path: '/users' });
    assert.equal(res.status, 503);
    assert.equal(res.tries, 3);
    assert.deepEqual(sleeps, [10, 10]);
    assert.ok(scope.isDone());
  });

  it('on 401 refreshes the token once and retries with the new one', async () => {
    const { http, tokens } = setup();
    nock(G, { reqheaders: { authorization: 'Bearer tok-1' } }).get('/v1.0/users').reply(401, { error: { code: 'InvalidAuthenticationToken' } });
    nock(G, { reqheaders: { authorization: 'Bearer tok-2' } }).get('/v1.0/users').reply(200, { value: [] });
    const res = await http.send({ method: 'GET', path: '/users' });
    assert.equal(res.status, 200);
    assert.deepEqual(tokens.calls, [false, true]);
  });

  it('sends Buffer bodies byte for byte with the given content type, and objects as JSON', async () => {
    const { http } = setup();
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 0xff, 0xd9]);
    let got: Buffer | undefined;
    nock(G, { reqheaders: { 'content-type': 'image/jpeg' } })
      .put('/v1.0/users/u1/photo/$value', (body) => {
        got = Buffer.from(body as string, 'hex');
        return true;
      })
      .reply(204);
    nock(G, { reqheaders: { 'content-type': 'application/json' } })
      .post('/v1.0/$batch', { requests: [] })
      .reply(200, { responses: [] });
    assert.equal((await http.send({ method: 'PUT', path: '/users/u1/photo/$value', headers: { 'content-type': 'image/jpeg' }, body: jpeg })).status, 204);
    assert.ok(got && got.equals(jpeg), `body was ${got?.toString('hex')}`);
    assert.equal((await http.send({ method: 'POST', path: '/$batch', body: { requests: [] } })).status, 200);
  });

  it('refuses to send the token to another origin (a hostile nextLink)', async () => {
    const { http, tokens } = setup();
    await assert.rejects(
      http.send({ method: 'GET', url: 'https://evil.example.com/v1.0/users?$skiptoken=x' }),
      (e: unknown) => e instanceof GraphRequestError && e.errorId === 'ForeignHost',
    );
    assert.deepEqual(tokens.calls, []);
  });

  it('retries connection resets, then throws a retryable GraphRequestError', async () => {
    const { http, sleeps } = setup({ maxTries: 2 });
    nock(G).get('/v1.0/users').times(2).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    await assert.rejects(
      http.send({ method: 'GET', path: '/users' }),
      (e: unknown) => e instanceof GraphRequestError && e.retryable && e.errorId === 'NetworkError' && /after 2 tries/.test(e.message),
    );
    assert.equal(sleeps.length, 1);
  });

  it('keeps at most N requests in flight, across every GraphHttp sharing one limiter', async () => {
    let inFlight = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const fetch: FetchLike = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight--;
      return new Response('{}', { status: 200 });
    };
    const limiter = createLimiter(3);
    const a = setup({ fetch, limiter }).http;
    const b = setup({ fetch, limiter }).http;
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).send({ method: 'GET', path: `/users/u${i}` })));
    // Release requests one at a time as they arrive, until all ten have run.
    let released = 0;
    for (let spins = 0; released < 10 && spins < 10_000; spins++) {
      await new Promise((r) => setImmediate(r));
      const next = releases.shift();
      if (next) {
        next();
        released++;
      }
    }
    assert.equal(released, 10);
    const results = await all;
    assert.equal(results.length, 10);
    assert.equal(peak, 3);
  });
});

import assert from 'node:assert/strict';
import nock from 'nock';
import { CloudAuthError } from '../../src/cloud/errors.js';
import { createBatcher, MAX_BATCH_SIZE } from '../../src/cloud/batch.js';
import { createGraphWriter, MAX_PHOTO_BYTES, WRITES_PER_UNIT } from '../../src/cloud/graph-writer.js';
import { createGraphHttp } from '../../src/cloud/http.js';
import { createLimiter } from '../../src/cloud/limiter.js';
import { readPhotoUpdatePolicy, policyFromSettings } from '../../src/cloud/policy.js';
import { createRetryPolicy } from '../../src/cloud/retry.js';
import type { TokenProvider } from '../../src/cloud/auth.js';

const G = 'https://graph.microsoft.com';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);

function setup(tokens: TokenProvider = { getToken: async () => 'tok' }, onClose?: () => Promise<void>) {
  const retry = createRetryPolicy({ sleep: async () => {}, random: () => 0.5, maxTries: 2 });
  const http = createGraphHttp({ graphBaseUrl: G, tokens, fetch: (u, i) => globalThis.fetch(u, i), limiter: createLimiter(4), retry });
  return { http, writer: createGraphWriter({ http, ...(onClose ? { onClose } : {}) }) };
}

describe('cloud/graph-writer', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('PUTs image/jpeg bytes, then reads the new etag', async () => {
    let sent: Buffer | undefined;
    const put = nock(G, { reqheaders: { 'content-type': 'image/jpeg' } })
      .put('/v1.0/users/u1/photo/$value', (body) => ((sent = Buffer.from(body as string, 'hex')), true))
      .reply(200);
    const get = nock(G).get('/v1.0/users/u1/photo').reply(200, { '@odata.mediaEtag': 'W/"new"', width: 240, height: 240 });
    const { writer } = setup();
    assert.equal(writer.route, 'graph');
    const [r] = await writer.setPhotos([{ key: 'guid-1', identity: 'u1', jpeg: JPEG }]);
    assert.deepEqual(r, { key: 'guid-1', ok: true, status: 200, etag: 'W/"new"' });
    assert.ok(sent?.equals(JPEG));
    assert.ok(put.isDone() && get.isDone());
  });

  it('with the shared batch queue, each upload and its etag read-back are two items of one $batch (dependsOn)', async () => {
    type Req = { id: string; method: string; url: string; headers?: Record<string, string>; body?: string; dependsOn?: string[] };
    const batches: Req[][] = [];
    nock(G).post('/v1.0/$batch').times(6).reply(200, (_uri, body) => {
      const requests = (body as { requests: Req[] }).requests;
      batches.push(requests);
      const failed = new Set<string>();
      return {
        responses: requests.map((r) => {
          if (r.method === 'PUT') {
            if (!r.url.includes('u4')) return { id: r.id, status: 200 };
            failed.add(r.id);
            return { id: r.id, status: 403, body: { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } } };
          }
          if (r.dependsOn?.some((d) => failed.has(d))) return { id: r.id, status: 424, body: { error: { code: 'FailedDependency' } } };
          return r.url.includes('u3') ? { id: r.id, status: 404, body: {} } : { id: r.id, status: 200, body: { '@odata.mediaEtag': `W/"${r.url.split('/')[2]}"` } };
        }),
      };
    });
    const { http } = setup();
    const retry = createRetryPolicy({ sleep: async () => {}, random: () => 0.5, maxTries: 2 });
    const writer = createGraphWriter({ http, batcher: createBatcher(http, retry) });
    const results = await writer.setPhotos(['u1', 'u2', 'u3', 'u4'].map((u) => ({ key: `k-${u}`, identity: u, jpeg: JPEG })));
    assert.deepEqual(results.map((r) => [r.ok, r.etag]), [[true, 'W/"u1"'], [true, 'W/"u2"'], [true, undefined], [false, undefined]]);
    assert.equal(results[3]?.status, 403);
    assert.match(results[3]?.advice ?? '', /ProfilePhoto\.ReadWrite\.All/);
    const all = batches.flat();
    const puts = all.filter((r) => r.method === 'PUT');
    assert.deepEqual(puts.map((r) => r.url).sort(), ['/users/u1/photo/$value', '/users/u2/photo/$value', '/users/u3/photo/$value', '/users/u4/photo/$value']);
    assert.ok(puts.every((r) => r.headers?.['content-type'] === 'image/jpeg' && Buffer.from(r.body ?? '', 'base64').equals(JPEG)), 'the photo travels base64-encoded, typed image/jpeg');
    for (const batch of batches) {
      for (const put of batch.filter((r) => r.method === 'PUT')) {
        const readBack = batch.find((r) => r.method === 'GET' && r.url === put.url.replace('/$value', ''));
        assert.deepEqual(readBack?.dependsOn, [put.id], 'the read-back rides in the same batch, after its upload');
      }
    }
    // u3's read-back found nothing (404): one more read-back on its own, which loses only the etag.
    assert.equal(all.filter((r) => r.method === 'GET' && r.url === '/users/u3/photo').length, 2);
  });

  it('keeps as many writes in progress as the budget allows now, asked again as it adapts', () => {
    const retry = createRetryPolicy({ sleep: async () => {}, random: () => 0.5, maxTries: 2 });
    const at = (units: number, batched: boolean): number => {
      const http = createGraphHttp({ graphBaseUrl: G, tokens: { getToken: async () => 'tok' }, fetch: (u, i) => globalThis.fetch(u, i), limiter: createLimiter(64, { initial: units }), retry });
      const calls = createGraphWriter({ http, ...(batched ? { batcher: createBatcher(http, retry) } : {}) }).schedule?.callsAtOnce;
      assert.equal(typeof calls, 'function', 'a function, so the apply stage follows the allowance');
      return (calls as () => number)();
    };
    assert.equal(at(4, true), 2 * MAX_BATCH_SIZE, 'at the documented 4: two full batches of writes');
    assert.equal(at(32, true), WRITES_PER_UNIT * 32, 'grown under the per-mailbox reading: three writes per unit');
    assert.equal(at(4, false), 8, 'plain requests: twice the allowance, so some wait and the allowance can grow');
  });

  it('reports one user’s 403 with permission advice while the others succeed', async () => {
    nock(G).put('/v1.0/users/bad/photo/$value').reply(403, { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } });
    nock(G).put('/v1.0/users/good/photo/$value').reply(204);
    nock(G).get('/v1.0/users/good/photo').reply(200, { '@odata.mediaEtag': 'W/"g"' });
    const results = await setup().writer.setPhotos([
      { key: 'k-bad', identity: 'bad', jpeg: JPEG },
      { key: 'k-good', identity: 'good', jpeg: JPEG },
    ]);
    const bad = results.find((r) => r.key === 'k-bad');
    assert.equal(bad?.ok, false);
    assert.equal(bad?.status, 403);
    assert.equal(bad?.errorId, 'Forbidden');
    assert.equal(bad?.retryable, false);
    assert.match(bad?.advice ?? '', /ProfilePhoto\.ReadWrite\.All.*admin consent/s);
    assert.match(bad?.message ?? '', /ErrorAccessDenied/);
    assert.deepEqual(results.find((r) => r.key === 'k-good'), { key: 'k-good', ok: true, status: 204, etag: 'W/"g"' });
  });

  it('refuses photos over 4 MB without calling Graph, and maps 400/413 answers', async () => {
    nock(G).put('/v1.0/users/u400/photo/$value').reply(400, { error: { code: 'ErrorInvalidImage' } });
    nock(G).put('/v1.0/users/u413/photo/$value').reply(413, '');
    const results = await setup().writer.setPhotos([
      { key: 'big', identity: 'u-big', jpeg: Buffer.alloc(MAX_PHOTO_BYTES + 1, 1) },
      { key: 'k400', identity: 'u400', jpeg: JPEG },
      { key: 'k413', identity: 'u413', jpeg: JPEG },
      { key: 'empty', identity: 'u-empty', jpeg: Buffer.alloc(0) },
    ]);
    assert.deepEqual(
      results.map((r) => [r.key, r.ok, r.errorId, r.status]),
      [
        ['big', false, 'RequestEntityTooLarge', 413],
        ['k400', false, 'BadRequest', 400],
        ['k413', false, 'RequestEntityTooLarge', 413],
        ['empty', false, 'EmptyPhoto', undefined],
      ],
    );
    assert.match(results[1]?.advice ?? '', /JPEG/);
  });

  it('turns persistent network failures into a retryable WriteResult instead of throwing', async () => {
    nock(G).put('/v1.0/users/u1/photo/$value').times(2).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const [r] = await setup().writer.setPhotos([{ key: 'k', identity: 'u1', jpeg: JPEG }]);
    assert.equal(r?.ok, false);
    assert.equal(r?.errorId, 'NetworkError');
    assert.equal(r?.retryable, true);
  });

  it('still reports success without an etag when the follow-up metadata read fails', async () => {
    nock(G).put('/v1.0/users/u1/photo/$value').reply(204);
    nock(G).get('/v1.0/users/u1/photo').reply(404, {});
    const [r] = await setup().writer.setPhotos([{ key: 'k', identity: 'u1', jpeg: JPEG }]);
    assert.deepEqual(r, { key: 'k', ok: true, status: 204 });
  });

  it('throws when it cannot work at all (sign-in fails)', async () => {
    const tokens = {
      getToken: async () => {
        throw new CloudAuthError('Sign-in to Entra ID failed', { code: 'AADSTS7000215', advice: 'check the client secret' });
      },
    };
    await assert.rejects(setup(tokens).writer.setPhotos([{ key: 'k', identity: 'u1', jpeg: JPEG }]), CloudAuthError);
  });

  it('DELETEs photos: 204 and 404 (already gone) are success, 403 is a failure with advice', async () => {
    nock(G).delete('/v1.0/users/a/photo/$value').reply(204);
    nock(G).delete('/v1.0/users/b/photo/$value').reply(404, { error: { code: 'ImageNotFound' } });
    nock(G).delete('/v1.0/users/c/photo/$value').reply(403, { error: { code: 'ErrorAccessDenied' } });
    const results = await setup().writer.deletePhotos([
      { key: 'ka', identity: 'a' },
      { key: 'kb', identity: 'b' },
      { key: 'kc', identity: 'c' },
    ]);
    assert.deepEqual(
      results.map((r) => [r.key, r.ok, r.status]),
      [
        ['ka', true, 204],
        ['kb', true, 404],
        ['kc', false, 403],
      ],
    );
    assert.match(results[2]?.advice ?? '', /ProfilePhoto\.ReadWrite\.All/);
  });

  it('close() runs onClose once', async () => {
    let closes = 0;
    const { writer } = setup(undefined, async () => void closes++);
    await writer.close();
    await writer.close();
    assert.equal(closes, 1);
  });
});

describe('cloud/policy', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('reads source cloud / onPremises from the beta endpoint', async () => {
    nock(G).get('/beta/admin/people/photoUpdateSettings').reply(200, { source: 'onPremises', allowedRoles: [] });
    const p = await readPhotoUpdatePolicy(setup().http);
    assert.equal(p.source, 'onPremises');
    assert.equal(p.allowsCloudWrites, false);
    assert.match(p.detail, /onPremises/);
    nock(G).get('/beta/admin/people/photoUpdateSettings').reply(200, { source: 'cloud' });
    assert.deepEqual(
      { ...(await readPhotoUpdatePolicy(setup().http)), detail: '' },
      { source: 'cloud', allowsCloudWrites: true, detail: '' },
    );
  });

  it('gives unknown (writes allowed) with advice on 403/404, never throwing', async () => {
    nock(G).get('/beta/admin/people/photoUpdateSettings').reply(403, { error: { code: 'Authorization_RequestDenied' } });
    const p403 = await readPhotoUpdatePolicy(setup().http);
    assert.equal(p403.source, 'unknown');
    assert.equal(p403.allowsCloudWrites, true);
    assert.match(p403.detail, /PeopleSettings\.Read\.All/);
    nock(G).get('/beta/admin/people/photoUpdateSettings').reply(404, {});
    assert.equal((await readPhotoUpdatePolicy(setup().http)).source, 'unknown');
  });

  it('gives unknown on sign-in or network failure', async () => {
    const failing = { getToken: async () => Promise.reject(new CloudAuthError('nope', { advice: 'check the client secret' })) };
    const p = await readPhotoUpdatePolicy(setup(failing).http);
    assert.equal(p.source, 'unknown');
    assert.match(p.detail, /check the client secret/);
  });

  it('interprets collection-shaped and unrecognised settings', () => {
    assert.equal(policyFromSettings({ value: [{ source: 'onPremises' }] }).allowsCloudWrites, false);
    assert.equal(policyFromSettings({ source: 'unknownFutureValue' }).source, 'unknown');
    assert.equal(policyFromSettings(undefined).source, 'unknown');
  });
});

import assert from 'node:assert/strict';
import nock from 'nock';
import { GraphRequestError } from '../../src/cloud/errors.js';
import { comparePhotoPath, createGraphReader, isOnePixelGif, odataString, userFilter, USER_SELECT } from '../../src/cloud/graph-reader.js';
import { createGraphHttp } from '../../src/cloud/http.js';
import { createLimiter } from '../../src/cloud/limiter.js';
import { createRetryPolicy } from '../../src/cloud/retry.js';

const G = 'https://graph.microsoft.com';
const SELECT = USER_SELECT.join(',');

function setup() {
  const retry = createRetryPolicy({ sleep: async () => {}, random: () => 0.5 });
  const http = createGraphHttp({ graphBaseUrl: G, tokens: { getToken: async () => 'tok' }, fetch: (u, i) => globalThis.fetch(u, i), limiter: createLimiter(4), retry });
  return createGraphReader({ http, retry });
}

/** The 1×1 GIF Graph serves as "no photo". */
const GIF_1x1 = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);

type BatchReq = { id: string; method: string; url: string };

function replyToBatch(answer: (url: string) => Record<string, unknown>) {
  return nock(G)
    .post('/v1.0/$batch')
    .times(10)
    .reply(200, (_uri, body) => ({
      responses: (body as { requests: BatchReq[] }).requests.map((r) => ({ id: r.id, ...answer(r.url) })),
    }));
}

describe('cloud/graph-reader', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('reads all users across pages with $select and $top=999, keeping only the selected fields', async () => {
    nock(G)
      .get('/v1.0/users')
      .query({ $select: SELECT, $top: '999' })
      .reply(200, {
        value: [
          { id: '1', userPrincipalName: 'a@contoso.com', mail: 'a@contoso.com', displayName: 'A', onPremisesImmutableId: 'AAA=', onPremisesSyncEnabled: true, jobTitle: 'x' },
          { id: '2', userPrincipalName: 'b@contoso.com', mail: null, displayName: null, onPremisesImmutableId: null, onPremisesSyncEnabled: null },
        ],
        '@odata.nextLink': `${G}/v1.0/users?$select=${SELECT}&$top=999&$skiptoken=PAGE2`,
      });
    nock(G)
      .get('/v1.0/users')
      .query({ $select: SELECT, $top: '999', $skiptoken: 'PAGE2' })
      .reply(200, { value: [{ id: '3', userPrincipalName: 'c@contoso.com' }, { junk: true }] });
    const users = [];
    for await (const u of setup().users()) users.push(u);
    assert.deepEqual(users, [
      { id: '1', userPrincipalName: 'a@contoso.com', mail: 'a@contoso.com', displayName: 'A', onPremisesImmutableId: 'AAA=', onPremisesSyncEnabled: true },
      { id: '2', userPrincipalName: 'b@contoso.com', mail: null, displayName: null, onPremisesImmutableId: null, onPremisesSyncEnabled: null },
      { id: '3', userPrincipalName: 'c@contoso.com' },
    ]);
  });

  it('throws a GraphRequestError with permission advice when listing users is forbidden', async () => {
    nock(G).get('/v1.0/users').query(true).reply(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges' } });
    const it = setup().users()[Symbol.asyncIterator]();
    await assert.rejects(it.next(), (e: unknown) => e instanceof GraphRequestError && e.status === 403 && /User\.Read\.All/.test(e.advice ?? ''));
  });

  it('gets one user by UPN (path-encoded) and gives undefined for 404', async () => {
    nock(G)
      .get(`/v1.0/users/${encodeURIComponent('guest_x.com#EXT#@contoso.onmicrosoft.com')}`)
      .query({ $select: SELECT })
      .reply(200, { id: 'g1', userPrincipalName: 'guest_x.com#EXT#@contoso.onmicrosoft.com' });
    nock(G).get('/v1.0/users/nobody%40contoso.com').query(true).reply(404, { error: { code: 'Request_ResourceNotFound' } });
    const reader = setup();
    assert.equal((await reader.user('guest_x.com#EXT#@contoso.onmicrosoft.com'))?.id, 'g1');
    assert.equal(await reader.user('nobody@contoso.com'), undefined);
  });

  it('escapes OData strings (quotes doubled) and builds an or-filter', () => {
    assert.equal(odataString("o'brien"), "'o''brien'");
    assert.equal(odataString("''"), "''''''");
    assert.equal(userFilter({}), undefined);
    assert.equal(
      userFilter({ upn: "o'brien@contoso.com", mail: 'x@y', immutableId: 'ab+/c==' }),
      "userPrincipalName eq 'o''brien@contoso.com' or mail eq 'x@y' or onPremisesImmutableId eq 'ab+/c=='",
    );
  });

  it('findUsers sends the escaped filter, percent-encoded (+ and / survive), and returns matches', async () => {
    nock(G)
      .get('/v1.0/users')
      .query((q) => q.$filter === "userPrincipalName eq 'o''brien@contoso.com' or onPremisesImmutableId eq 'ab+/c=='" && q.$select === SELECT)
      .reply(200, { value: [{ id: '9', userPrincipalName: "o'brien@contoso.com" }] });
    const found = await setup().findUsers({ upn: "o'brien@contoso.com", immutableId: 'ab+/c==' });
    assert.deepEqual(found, [{ id: '9', userPrincipalName: "o'brien@contoso.com" }]);
    assert.deepEqual(await setup().findUsers({}), []);
  });

  it('photoMeta: etag from @odata.mediaEtag; 404 and the 1×1 placeholder mean no photo; other failures carry advice', async () => {
    replyToBatch((url) => {
      if (url === '/users/u1/photo')
        return { status: 200, body: { '@odata.mediaContentType': 'image/jpeg', '@odata.mediaEtag': 'W/"abc"', id: '240X240', width: 240, height: 240 } };
      if (url === '/users/u2/photo') return { status: 404, body: { error: { code: 'ImageNotFound', message: 'The photo wasn’t found.' } } };
      if (url === '/users/u3/photo') return { status: 200, body: { '@odata.mediaContentType': 'image/gif', '@odata.mediaEtag': 'W/"x"', width: 1, height: 1 } };
      if (url === '/users/u4/photo') return { status: 404, body: { error: { code: 'SomeOtherCode' } } };
      return { status: 403, body: { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } } };
    });
    const meta = await setup().photoMeta(['u1', 'u2', 'u3', 'u4', 'u5', 'u1']);
    assert.equal(meta.size, 5);
    assert.deepEqual(meta.get('u1'), { exists: true, etag: 'W/"abc"', width: 240, height: 240, contentType: 'image/jpeg' });
    assert.deepEqual(meta.get('u2'), { exists: false });
    assert.deepEqual(meta.get('u3'), { exists: false });
    assert.deepEqual(meta.get('u4'), { exists: false });
    const u5 = meta.get('u5');
    assert.ok(u5 && 'error' in u5);
    assert.equal(u5.error.status, 403);
    assert.equal(u5.error.errorId, 'Forbidden');
    assert.match(u5.error.advice, /ProfilePhoto\.Read\.All/);
  });

  it('photoBytes: base64 bodies decoded; 404 and a 1×1 GIF give null; errors carried', async () => {
    replyToBatch((url) => {
      if (url === '/users/u1/photo/$value') return { status: 200, headers: { 'Content-Type': 'image/jpeg' }, body: JPEG.toString('base64') };
      if (url === '/users/u2/photo/$value') return { status: 404, body: { error: { code: 'ImageNotFound' } } };
      if (url === '/users/u3/photo/$value') return { status: 200, headers: { 'Content-Type': 'image/gif' }, body: GIF_1x1.toString('base64') };
      return { status: 500, body: { error: { code: 'InternalServerError' } } };
    });
    const bytes = await setup().photoBytes(['u1', 'u2', 'u3', 'u4']);
    const u1 = bytes.get('u1');
    assert.ok(Buffer.isBuffer(u1) && u1.equals(JPEG));
    assert.equal(bytes.get('u2'), null);
    assert.equal(bytes.get('u3'), null);
    const u4 = bytes.get('u4');
    assert.ok(u4 && !Buffer.isBuffer(u4) && 'error' in u4 && u4.error.status === 500 && u4.error.retryable);
  });

  it('reads a photo for comparing at 240 px when it is larger, the photo itself otherwise, and falls back on a 404 size', async () => {
    assert.equal(comparePhotoPath('u1', { width: 648, height: 648 }), '/users/u1/photos/240x240/$value');
    assert.equal(comparePhotoPath('u1', { width: 800, height: 300 }), '/users/u1/photos/240x240/$value');
    assert.equal(comparePhotoPath('u1', { width: 240, height: 240 }), '/users/u1/photo/$value');
    assert.equal(comparePhotoPath('u1', { width: 96, height: 96 }), '/users/u1/photo/$value');
    assert.equal(comparePhotoPath('u1', {}), '/users/u1/photo/$value', 'unknown size: the photo itself');
    const asked: string[] = [];
    replyToBatch((url) => {
      asked.push(url);
      if (url === '/users/u2/photos/240x240/$value') return { status: 404, body: { error: { code: 'ImageNotFound' } } };
      return { status: 200, headers: { 'Content-Type': 'image/jpeg' }, body: JPEG.toString('base64') };
    });
    const reader = setup();
    const [a, b] = await Promise.all([reader.comparePhotoOf('u1', { exists: true, width: 648, height: 648 }), reader.comparePhotoOf('u2', { exists: true, width: 504, height: 504 })]);
    assert.ok(Buffer.isBuffer(a) && Buffer.isBuffer(b));
    assert.deepEqual(asked.sort(), ['/users/u1/photos/240x240/$value', '/users/u2/photo/$value', '/users/u2/photos/240x240/$value']);
  });

  it('recognises the 1×1 GIF and nothing else', () => {
    assert.equal(isOnePixelGif(GIF_1x1), true);
    assert.equal(isOnePixelGif(JPEG), false);
    const twoByTwo = Buffer.from(GIF_1x1);
    twoByTwo.writeUInt16LE(2, 6);
    assert.equal(isOnePixelGif(twoByTwo), false);
    assert.equal(isOnePixelGif(Buffer.from('GIF8')), false);
  });
});

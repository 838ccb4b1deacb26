import assert from 'node:assert/strict';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import sharp from 'sharp';
import { createClientCertificate, startEmulator, type ClientCertificate, type EmulatorState, type RunningEmulator } from '../../mocks/graph-emulator/index.js';
import { trustLocalCa, type LocalTrust } from '../support/tls.js';

const TENANT = '3d6f1c2a-9b8e-4f7a-8c1d-2e3f4a5b6c7d';
const WRITER = { clientId: 'a1a1a1a1-0000-4000-8000-000000000001', secret: 'writer-secret' };
const READER = { clientId: 'a1a1a1a1-0000-4000-8000-000000000002', secret: 'reader-secret' };
const CERT_APP = 'a1a1a1a1-0000-4000-8000-000000000003';
const USER_COUNT = 250;
const upn = (i: number): string => `user${String(i).padStart(4, '0')}@contoso.example`;

async function testImage(width: number, height: number, format: 'jpeg' | 'png'): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } }).composite([
    { input: { create: { width: Math.floor(width / 2), height: Math.floor(height / 2), channels: 3, background: { r: 240, g: 200, b: 160 } } }, top: 10, left: 10 },
  ]);
  return format === 'jpeg' ? img.jpeg({ quality: 95 }).toBuffer() : img.png().toBuffer();
}

describe('graph emulator (integration)', function () {
  let dir: string;
  let emu: RunningEmulator;
  let trust: LocalTrust;
  let clientCert: ClientCertificate;
  let writerToken: string;

  function msal(clientId: string, credentials: Configuration['auth']): ConfidentialClientApplication {
    return new ConfidentialClientApplication({
      auth: { ...credentials, clientId, authority: emu.authority, knownAuthorities: [emu.authorityHost] },
      system: { networkClient: trust.networkClient },
    });
  }

  function graph(token: string, version: 'v1.0' | 'beta' = 'v1.0'): Client {
    return Client.initWithMiddleware({
      authProvider: { getAccessToken: async () => token },
      baseUrl: emu.graphBaseUrl,
      defaultVersion: version,
      customHosts: new Set(['127.0.0.1']),
      fetchOptions: trust.fetchOptions,
    });
  }

  const get = (pathAndQuery: string, token?: string) =>
    trust.fetch(`${emu.graphBaseUrl}${pathAndQuery}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  async function secretToken(app: { clientId: string; secret: string }): Promise<string> {
    const result = await msal(app.clientId, { clientId: app.clientId, clientSecret: app.secret }).acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/.default'],
    });
    assert.ok(result?.accessToken);
    return result.accessToken;
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), 'graph-emulator-it-'));
    clientCert = await createClientCertificate();
    await writeFile(path.join(dir, 'p1.jpg'), await testImage(300, 300, 'jpeg'));
    const users: EmulatorState['users'] = [];
    for (let i = 0; i < USER_COUNT; i += 1) {
      users.push({
        userPrincipalName: upn(i),
        mail: upn(i),
        displayName: `User ${i}`,
        onPremisesImmutableId: Buffer.from(`immutable-${i}`).toString('base64'),
        onPremisesSyncEnabled: true,
        photo: i < 10 ? 'p1.jpg' : null,
        photoPlaceholder: i === 11,
      });
    }
    const state: EmulatorState = {
      tenantId: TENANT,
      clients: [
        { ...WRITER, roles: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.ReadWrite.All'] },
        { ...READER, roles: ['User.Read.All', 'ProfilePhoto.Read.All'] },
        { clientId: CERT_APP, certificatePem: clientCert.certificatePem, roles: ['User.Read.All', 'ProfilePhoto.Read.All'] },
      ],
      users,
    };
    const statePath = path.join(dir, 'state.json');
    await writeFile(statePath, JSON.stringify(state));
    emu = await startEmulator({ state: statePath, port: 0, certDir: path.join(dir, 'certs'), faults: { retryAfterSeconds: 0.05 } });
    trust = trustLocalCa(emu.caCertPath);
    writerToken = await secretToken(WRITER);
  });

  after(async function () {
    await trust?.close();
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  beforeEach(function () {
    emu.control.setFaults({ retryAfterSeconds: 0.05 });
  });

  describe('tokens through MSAL Node', function () {
    it('issues a token for a client secret, carrying roles, appid and tid', async function () {
      const [, payload] = writerToken.split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
      assert.equal(claims['appid'], WRITER.clientId);
      assert.equal(claims['tid'], TENANT);
      assert.deepEqual(claims['roles'], ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.ReadWrite.All']);
      assert.ok(typeof claims['exp'] === 'number' && claims['exp'] > Date.now() / 1000);
      const tokenCalls = emu.control.requestLog().filter((e) => e.path === `/${TENANT}/oauth2/v2.0/token` && e.status === 200);
      assert.ok(tokenCalls.some((e) => e.clientId === WRITER.clientId));
    });

    it('issues a token for a certificate assertion (PS256, x5t#S256)', async function () {
      const app = msal(CERT_APP, {
        clientId: CERT_APP,
        clientCertificate: { thumbprintSha256: clientCert.thumbprintSha256, privateKey: clientCert.privateKeyPem },
      });
      const result = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
      assert.ok(result?.accessToken);
      const res = await get(`/v1.0/users/${upn(0)}?$select=id`, result.accessToken);
      assert.equal(res.status, 200);
    });

    it('refuses an assertion signed by a key that is not registered', async function () {
      const stranger = await createClientCertificate('stranger');
      const app = msal(CERT_APP, {
        clientId: CERT_APP,
        clientCertificate: { thumbprintSha256: clientCert.thumbprintSha256, privateKey: stranger.privateKeyPem },
      });
      await assert.rejects(app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }), /AADSTS700027/);
    });

    it('answers a wrong secret with invalid_client AADSTS7000215', async function () {
      const app = msal(WRITER.clientId, { clientId: WRITER.clientId, clientSecret: 'not-the-secret' });
      await assert.rejects(
        app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }),
        (err: Error & { errorCode?: string }) => err.errorCode === 'invalid_client' && /AADSTS7000215/.test(err.message),
      );
      const failed = emu.control.requestLog().filter((e) => e.path.endsWith('/oauth2/v2.0/token') && e.status === 401);
      assert.ok(failed.length >= 1);
    });
  });

  describe('Graph JS client', function () {
    it('reads a user photo and its metadata', async function () {
      const client = graph(writerToken);
      const bytes = Buffer.from((await client.api(`/users/${upn(1)}/photo/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
      assert.deepEqual(bytes, emu.control.getStoredPhoto(upn(1)));
      const meta = (await client.api(`/users/${upn(1)}/photo`).get()) as Record<string, unknown>;
      assert.equal(meta['@odata.mediaContentType'], 'image/jpeg');
      assert.match(String(meta['@odata.mediaEtag']), /^W\/"[0-9a-f]+"$/);
      assert.equal(meta['id'], '300X300');
      assert.equal(meta['width'], 300);
    });

    it('re-encodes a PUT: different bytes, JPEG, at most 648 px, aspect kept, new etag, counted', async function () {
      const client = graph(writerToken);
      const before = (await client.api(`/users/${upn(2)}/photo`).get()) as Record<string, unknown>;
      const upload = await testImage(1200, 900, 'png');
      await client.api(`/users/${upn(2)}/photo/$value`).header('Content-Type', 'image/png').put(upload);
      const back = Buffer.from((await client.api(`/users/${upn(2)}/photo/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
      assert.notDeepEqual(back, upload);
      const meta = await sharp(back).metadata();
      assert.equal(meta.format, 'jpeg');
      assert.equal(meta.width, 648);
      assert.equal(meta.height, 486);
      assert.equal(meta.exif, undefined);
      const after = (await client.api(`/users/${upn(2)}/photo`).get()) as Record<string, unknown>;
      assert.notEqual(after['@odata.mediaEtag'], before['@odata.mediaEtag']);
      assert.equal(after['id'], '648X486');
      const { id } = (await client.api(`/users/${upn(2)}`).select('id').get()) as { id: string };
      assert.equal(emu.control.writeCounts()[id], 1);

      const jpegUpload = await testImage(400, 400, 'jpeg');
      await client.api(`/users/${upn(2)}/photo/$value`).header('Content-Type', 'image/jpeg').put(jpegUpload);
      const stored = emu.control.getStoredPhoto(upn(2));
      assert.ok(stored && !stored.equals(jpegUpload), 'a JPEG upload is re-encoded too');
      assert.equal(emu.control.writeCounts()[id], 2);
    });

    it('lists HD sizes and serves resized bytes', async function () {
      const client = graph(writerToken);
      const list = (await client.api(`/users/${upn(3)}/photos`).get()) as { value: Array<{ id: string }> };
      assert.deepEqual(list.value.map((p) => p.id), ['48X48', '64X64', '96X96', '120X120', '240X240']);
      const small = Buffer.from((await client.api(`/users/${upn(3)}/photos/64x64/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
      const meta = await sharp(small).metadata();
      assert.deepEqual([meta.width, meta.height, meta.format], [64, 64, 'jpeg']);
      const missing = await get(`/v1.0/users/${upn(3)}/photos/648x648/$value`, writerToken);
      assert.equal(missing.status, 404);
    });

    it('pages /users with @odata.nextLink', async function () {
      const client = graph(writerToken);
      const seen: string[] = [];
      let pages = 0;
      let res = (await client.api('/users').select(['id', 'userPrincipalName']).top(100).get()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
      for (;;) {
        pages += 1;
        seen.push(...res.value.map((u) => u.id));
        if (!res['@odata.nextLink']) break;
        res = (await client.api(res['@odata.nextLink']).get()) as typeof res;
      }
      assert.equal(pages, Math.ceil(USER_COUNT / 100));
      assert.equal(seen.length, USER_COUNT);
      assert.equal(new Set(seen).size, USER_COUNT);
    });

    it('filters users by eq / or and returns onPremisesImmutableId only when selected', async function () {
      const imm = Buffer.from('immutable-7').toString('base64');
      const res = await get(`/v1.0/users?$filter=${encodeURIComponent(`onPremisesImmutableId eq '${imm}' or userPrincipalName eq '${upn(8).toUpperCase()}'`)}&$select=userPrincipalName,onPremisesImmutableId`, writerToken);
      const body = (await res.json()) as { value: Array<Record<string, unknown>> };
      assert.deepEqual(body.value.map((u) => u['userPrincipalName']).sort(), [upn(7), upn(8)]);
      assert.equal(body.value.find((u) => u['userPrincipalName'] === upn(7))?.['onPremisesImmutableId'], imm);
      const plain = (await (await get(`/v1.0/users/${upn(7)}`, writerToken)).json()) as Record<string, unknown>;
      assert.equal('onPremisesImmutableId' in plain, false);
      assert.equal((await get('/v1.0/users/nobody@contoso.example', writerToken)).status, 404);
    });
  });

  describe('errors, throttling and faults', function () {
    it('answers 401 InvalidAuthenticationToken without a token and after revocation', async function () {
      const none = await get(`/v1.0/users/${upn(0)}/photo/$value`);
      assert.equal(none.status, 401);
      assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'InvalidAuthenticationToken');
      const token = await secretToken(READER);
      assert.equal((await get(`/v1.0/users/${upn(0)}`, token)).status, 200);
      emu.control.revokeTokens();
      const revoked = await get(`/v1.0/users/${upn(0)}`, token);
      assert.equal(revoked.status, 401);
      const fresh = await msal(READER.clientId, { clientId: READER.clientId, clientSecret: READER.secret }).acquireTokenByClientCredential({
        scopes: ['https://graph.microsoft.com/.default'],
      });
      assert.equal((await get(`/v1.0/users/${upn(0)}`, fresh?.accessToken)).status, 200);
      writerToken = await secretToken(WRITER);
    });

    it('answers 403 ErrorAccessDenied to a read-only app that PUTs a photo', async function () {
      const token = await secretToken(READER);
      const before = emu.control.getStoredPhoto(upn(4));
      const res = await trust.fetch(`${emu.graphBaseUrl}/v1.0/users/${upn(4)}/photo/$value`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
        body: await testImage(100, 100, 'jpeg'),
      });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ErrorAccessDenied');
      assert.deepEqual(emu.control.getStoredPhoto(upn(4)), before);
    });

    it('answers 429 with Retry-After when more than 4 requests of one app are in flight', async function () {
      emu.control.setFaults({ latencyMs: 700, retryAfterSeconds: 0.05 });
      emu.control.clearLog();
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => get(`/v1.0/users/${upn(i)}/photo`, writerToken)));
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
      for (const r of answers.filter((a) => a.status === 429)) {
        assert.equal(r.headers.get('retry-after'), '0.05');
        const error = ((await r.json()) as { error: { code: string; message: string } }).error;
        assert.equal(error.code, 'ApplicationThrottled');
        assert.match(error.message, /MailboxConcurrency/);
      }
      assert.equal(emu.control.requestLog().filter((e) => e.status === 429).length, 2);
      // The log says how long each answered request held its slot (the bench's slot use); a 429 held none.
      const held = emu.control.requestLog().filter((e) => e.path.endsWith('/photo')).map((e) => e.heldMs);
      assert.equal(held.filter((h) => h === undefined).length, 2);
      for (const h of held.filter((x) => x !== undefined)) assert.ok((h as number) >= 690 && (h as number) < 2000, `held ${h} ms`);
    });

    it('under the mailbox scope counts 4 per app per user: different users never throttle each other', async function () {
      emu.control.setFaults({ latencyMs: 300, retryAfterSeconds: 0.05, concurrencyScope: 'mailbox' });
      try {
        const spread = await Promise.all(Array.from({ length: 8 }, (_, i) => get(`/v1.0/users/${upn(i)}/photo`, writerToken)));
        assert.deepEqual(spread.map((r) => r.status), Array(8).fill(200));
        // One mailbox: by UPN and by id count as the same user.
        const id = ((await (await get(`/v1.0/users/${upn(0)}?$select=id`, writerToken)).json()) as { id: string }).id;
        const same = await Promise.all(Array.from({ length: 6 }, (_, i) => get(`/v1.0/users/${i % 2 ? id : upn(0)}/photo`, writerToken)));
        assert.deepEqual(same.map((r) => r.status).sort(), [200, 200, 200, 200, 429, 429]);
      } finally {
        emu.control.setFaults({});
      }
    });

    it('under the app scope a $batch holds up to 4 slots while its items run, so a parallel request is throttled', async function () {
      emu.control.setFaults({ latencyMs: 300, retryAfterSeconds: 0.05 });
      const batch = trust.fetch(`${emu.graphBaseUrl}/v1.0/$batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ requests: Array.from({ length: 8 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${upn(i)}/photo` })) }),
      });
      await new Promise((r) => setTimeout(r, 100));
      const single = await get(`/v1.0/users/${upn(9)}/photo`, writerToken);
      assert.equal(single.status, 429);
      const items = ((await (await batch).json()) as { responses: Array<{ status: number }> }).responses;
      assert.deepEqual(items.map((r) => r.status), Array(8).fill(200), 'a batch never throttles itself: 4 items at a time');
      emu.control.setFaults({});
    });

    it('injects 503/504 deterministically for a seed, and resets sockets', async function () {
      const sequence = async (): Promise<number[]> => {
        emu.control.setFaults({ errorRate: 0.5, seed: 42, retryAfterSeconds: 0.05 });
        const out: number[] = [];
        for (let i = 0; i < 12; i += 1) out.push((await get(`/v1.0/users/${upn(0)}?$select=id`, writerToken)).status);
        return out;
      };
      const first = await sequence();
      assert.deepEqual(await sequence(), first);
      assert.ok(first.some((s) => s === 503 || s === 504) && first.includes(200), `mixed outcomes expected, got ${first.join(',')}`);
      emu.control.setFaults({ resetRate: 1 });
      await assert.rejects(get(`/v1.0/users/${upn(0)}`, writerToken));
      assert.equal(emu.control.requestLog().at(-1)?.status, 0);
    });

    it('refuses a photo over 4 MB with 413 and a non-image with 400', async function () {
      const put = (body: Buffer, type = 'image/jpeg') =>
        trust.fetch(`${emu.graphBaseUrl}/v1.0/users/${upn(5)}/photo/$value`, { method: 'PUT', headers: { authorization: `Bearer ${writerToken}`, 'content-type': type }, body });
      assert.equal((await put(Buffer.alloc(4 * 1024 * 1024 + 1, 1))).status, 413);
      assert.equal((await put(Buffer.from('this is not an image'))).status, 400);
      assert.equal((await put(await testImage(50, 50, 'jpeg'), 'text/plain')).status, 400);
    });
  });

  describe('$batch', function () {
    it('returns photo bodies base64-encoded, items logged as batched', async function () {
      emu.control.clearLog();
      const res = await trust.fetch(`${emu.graphBaseUrl}/v1.0/$batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          requests: [
            { id: 'a', method: 'GET', url: `/users/${upn(6)}/photo/$value` },
            { id: 'b', method: 'GET', url: `/users/${upn(200)}/photo/$value` },
            { id: 'c', method: 'GET', url: `/users/${upn(11)}/photo` },
          ],
        }),
      });
      assert.equal(res.status, 200);
      const { responses } = (await res.json()) as { responses: Array<{ id: string; status: number; headers: Record<string, string>; body: unknown }> };
      const byId = new Map(responses.map((r) => [r.id, r]));
      assert.equal(byId.get('a')?.status, 200);
      assert.equal(byId.get('a')?.headers['Content-Type'], 'image/jpeg');
      assert.deepEqual(Buffer.from(String(byId.get('a')?.body), 'base64'), emu.control.getStoredPhoto(upn(6)));
      assert.equal(byId.get('b')?.status, 404);
      assert.equal((byId.get('b')?.body as { error: { code: string } }).error.code, 'ImageNotFound');
      assert.equal((byId.get('c')?.body as { width: number }).width, 1, 'placeholder users get 1x1 gif metadata');
      const items = emu.control.requestLog().filter((e) => e.batched);
      assert.equal(items.length, 3);
    });

    it('PUTs base64 bodies, honours dependsOn (424 after a failure) and refuses more than 20 items', async function () {
      const photo = (await testImage(700, 700, 'jpeg')).toString('base64');
      const send = (requests: unknown[]) =>
        trust.fetch(`${emu.graphBaseUrl}/v1.0/$batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ requests }),
        });
      const res = await send([
        { id: '1', method: 'PUT', url: `/users/${upn(20)}/photo/$value`, headers: { 'Content-Type': 'image/jpeg' }, body: photo },
        { id: '2', method: 'GET', url: `/users/nobody@contoso.example/photo/$value` },
        { id: '3', dependsOn: ['2'], method: 'DELETE', url: `/users/${upn(21)}/photo/$value` },
      ]);
      const { responses } = (await res.json()) as { responses: Array<{ id: string; status: number }> };
      assert.deepEqual(responses.map((r) => [r.id, r.status]), [['1', 200], ['2', 404], ['3', 424]]);
      const stored = emu.control.getStoredPhoto(upn(20));
      assert.ok(stored);
      assert.equal((await sharp(stored).metadata()).width, 648);
      const tooMany = await send(Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${upn(i)}` })));
      assert.equal(tooMany.status, 400);
    });

    it('throttles batch items individually with Retry-After inside the item', async function () {
      emu.control.setFaults({ maxInFlightPerApp: 1, latencyMs: 400, retryAfterSeconds: 0.05 });
      const single = get(`/v1.0/users/${upn(0)}`, writerToken);
      const batch = trust.fetch(`${emu.graphBaseUrl}/v1.0/$batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `/users/${upn(1)}/photo` }] }),
      });
      const [s, b] = await Promise.all([single, batch]);
      const item = ((await b.json()) as { responses: Array<{ status: number; headers: Record<string, string> }> }).responses[0];
      const statuses = [s.status, item?.status].sort();
      assert.deepEqual(statuses, [200, 429]);
      if (item?.status === 429) assert.equal(item.headers['Retry-After'], '0.05');
    });
  });

  describe('photoUpdateSettings', function () {
    it('blocks photo writes while source is onPremises', async function () {
      const beta = graph(writerToken, 'beta');
      const patched = (await beta.api('/admin/people/photoUpdateSettings').patch({ source: 'onPremises' })) as { source: string };
      assert.equal(patched.source, 'onPremises');
      assert.equal(((await beta.api('/admin/people/photoUpdateSettings').get()) as { source: string }).source, 'onPremises');
      const res = await trust.fetch(`${emu.graphBaseUrl}/v1.0/users/${upn(30)}/photo/$value`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'image/jpeg' },
        body: await testImage(80, 80, 'jpeg'),
      });
      assert.equal(res.status, 403);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /onPremises/);
      assert.equal(emu.control.getStoredPhoto(upn(30)), null);
      emu.control.setPhotoUpdateSettings('cloud');
      const ok = await trust.fetch(`${emu.graphBaseUrl}/v1.0/users/${upn(30)}/photo/$value`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'image/jpeg' },
        body: await testImage(80, 80, 'jpeg'),
      });
      assert.equal(ok.status, 200);
    });
  });

  describe('lifecycle', function () {
    it('takes the state as an object, and removes its own temp cert dir on stop', async function () {
      const own = await startEmulator({
        state: { tenantId: TENANT, clients: [{ clientId: 'x', secret: 'y', roles: [] }], users: [{ userPrincipalName: 'solo@contoso.example' }] },
      });
      await access(own.caCertPath);
      assert.notEqual(own.caCertPath, emu.caCertPath);
      await own.stop();
      await own.stop();
      await assert.rejects(access(own.caCertPath));
      await access(emu.caCertPath);
    });
  });
});

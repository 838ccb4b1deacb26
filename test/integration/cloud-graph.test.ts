/**
 * The cloud side against the Graph emulator (mocks/graph-emulator): MSAL's real client-credentials flow over
 * HTTPS trusted through the extra-CA option, users paging, photo metadata and bytes through $batch, writes,
 * throttling/faults, token revocation and the tenant photo policy. Production code only sees base URLs and a CA.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { connectCloud, type CloudConnection, type CloudConnectOptions } from '../../src/cloud/connect.js';
import { CloudAuthError } from '../../src/cloud/errors.js';
import type { CloudUser } from '../../src/model.js';
import { createClientCertificate, startEmulator, type EmulatorState, type RunningEmulator } from '../../mocks/graph-emulator/index.js';

const CLIENT_ID = '3c7e1f0a-5b2d-4c6e-8f9a-0b1c2d3e4f50';
const CERT_CLIENT_ID = '3c7e1f0a-5b2d-4c6e-8f9a-0b1c2d3e4f51';
const SECRET = 'integration-secret';
const ROLES = ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'];
const USERS = 25;
const upn = (i: number) => `user${String(i).padStart(2, '0')}@contoso.example`;
/** Every third user has a photo, every third (offset 1) only Graph's 1×1 placeholder, the rest none. */
const hasPhoto = (i: number) => i % 3 === 0;
const hasPlaceholder = (i: number) => i % 3 === 1;

async function jpeg(seed: number, size = 96): Promise<Buffer> {
  const raw = Buffer.alloc(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const x = p % size;
    const y = Math.floor(p / size);
    raw[p * 3] = (x * 7 + seed * 31) & 0xff;
    raw[p * 3 + 1] = (y * 5 + seed * 17) & 0xff;
    raw[p * 3 + 2] = ((x ^ y) + seed * 13) & 0xff;
  }
  return sharp(raw, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

describe('cloud ↔ Graph emulator (integration)', function () {
  let emu: RunningEmulator;
  let dir: string;
  let certificate: { certificatePem: string; privateKeyPem: string };
  const open: CloudConnection[] = [];
  /** UPN → id, from the listing. */
  const ids = new Map<string, string>();

  async function connect(extra: Partial<CloudConnectOptions> = {}): Promise<CloudConnection> {
    const conn = await connectCloud({
      tenantId: emu.tenantId,
      clientId: CLIENT_ID,
      credential: { kind: 'secret', secret: SECRET },
      authorityHost: emu.baseUrl,
      graphBaseUrl: emu.graphBaseUrl,
      caFile: emu.caCertPath,
      usersPageSize: 7,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      ...extra,
    });
    open.push(conn);
    return conn;
  }

  const id = (i: number) => {
    const v = ids.get(upn(i));
    assert.ok(v, `id of ${upn(i)} known`);
    return v;
  };

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), 'cloud-graph-it-'));
    certificate = await createClientCertificate('hybrid-photo-sync integration');
    const users: EmulatorState['users'] = [];
    for (let i = 0; i < USERS; i++) {
      let photo: string | null = null;
      if (hasPhoto(i)) {
        photo = path.join(dir, `p${i}.jpg`);
        await writeFile(photo, await jpeg(i));
      }
      users.push({
        userPrincipalName: upn(i),
        mail: upn(i),
        displayName: `User ${i}`,
        onPremisesImmutableId: Buffer.from(`immutable-${i}`).toString('base64'),
        onPremisesSyncEnabled: i !== 24,
        photo,
        photoPlaceholder: hasPlaceholder(i),
      });
    }
    emu = await startEmulator({
      state: {
        tenantId: '9d1e4c2b-7a3f-4b5e-8c6d-2e1f0a9b8c7d',
        clients: [
          { clientId: CLIENT_ID, secret: SECRET, roles: ROLES },
          { clientId: CERT_CLIENT_ID, certificatePem: certificate.certificatePem, roles: ROLES },
        ],
        users,
        photoUpdateSettings: { source: 'cloud' },
      },
      faults: { maxInFlightPerApp: 4, retryAfterSeconds: 0.05, latencyMs: 0, errorRate: 0, resetRate: 0 },
    });
  });

  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('signs in with a client secret through MSAL and reads every user across pages', async () => {
    const conn = await connect();
    emu.control.clearLog();
    const users: CloudUser[] = [];
    for await (const u of conn.reader.users()) users.push(u);
    assert.equal(users.length, USERS);
    for (const u of users) ids.set(u.userPrincipalName, u.id);
    const u3 = users.find((u) => u.userPrincipalName === upn(3));
    assert.deepEqual(u3, {
      id: u3?.id,
      userPrincipalName: upn(3),
      mail: upn(3),
      displayName: 'User 3',
      onPremisesImmutableId: Buffer.from('immutable-3').toString('base64'),
      onPremisesSyncEnabled: true,
    });
    const pages = emu.control.requestLog().filter((e) => e.method === 'GET' && e.path === '/v1.0/users');
    assert.equal(pages.length, Math.ceil(USERS / 7));
    assert.ok(pages.every((p) => p.status === 200 && p.clientId === CLIENT_ID));
  });

  it('finds users by UPN and immutable id, and one user by id', async () => {
    const conn = await connect();
    const found = await conn.reader.findUsers({ immutableId: Buffer.from('immutable-5').toString('base64') });
    assert.deepEqual(
      found.map((u) => u.userPrincipalName),
      [upn(5)],
    );
    assert.equal((await conn.reader.user(id(7)))?.userPrincipalName, upn(7));
    assert.equal(await conn.reader.user('nobody@contoso.example'), undefined);
  });

  it('reads photo metadata and bytes through $batch (placeholder and 404 both mean no photo)', async () => {
    const conn = await connect();
    const all = Array.from({ length: USERS }, (_, i) => id(i));
    emu.control.clearLog();
    const meta = await conn.reader.photoMeta(all);
    const batches = emu.control.requestLog().filter((e) => e.path === '/v1.0/$batch');
    assert.equal(batches.length, 2, '25 ids → 2 batches');
    assert.equal(emu.control.requestLog().filter((e) => e.batched).length, USERS);
    for (let i = 0; i < USERS; i++) {
      const m = meta.get(id(i));
      assert.ok(m && !('error' in m), `user ${i}: ${JSON.stringify(m)}`);
      assert.equal(m.exists, hasPhoto(i), `user ${i} exists`);
      if (hasPhoto(i)) assert.match(m.etag ?? '', /.+/);
    }
    const bytes = await conn.reader.photoBytes(all.filter((_, i) => i < 6));
    for (let i = 0; i < 6; i++) {
      const b = bytes.get(id(i));
      if (hasPhoto(i)) {
        assert.ok(Buffer.isBuffer(b), `user ${i} bytes`);
        assert.equal(b.readUInt16BE(0), 0xffd8, 'a JPEG');
        assert.ok(b.equals(emu.control.getStoredPhoto(id(i)) ?? Buffer.alloc(0)), 'the stored bytes');
      } else {
        assert.equal(b, null, `user ${i} has no photo`);
      }
    }
  });

  it('writes a photo through the writer, then reads back a new etag and re-encoded bytes; deletes one', async () => {
    const conn = await connect();
    const target = id(0);
    const before = (await conn.reader.photoMeta([target])).get(target);
    assert.ok(before && 'exists' in before && before.exists);
    const upload = await jpeg(1000, 128);
    const writesBefore = emu.control.writeCounts()[target] ?? 0;
    const [res] = await conn.writer.setPhotos([{ key: 'guid-0', identity: target, jpeg: upload }]);
    assert.equal(res?.ok, true, JSON.stringify(res));
    assert.ok(res?.etag && res.etag !== before.etag, `etag changed: ${before.etag} → ${res?.etag}`);
    const after = (await conn.reader.photoMeta([target])).get(target);
    assert.ok(after && 'exists' in after);
    assert.equal(after.etag, res.etag);
    const back = (await conn.reader.photoBytes([target])).get(target);
    assert.ok(Buffer.isBuffer(back));
    assert.equal(back.readUInt16BE(0), 0xffd8);
    assert.ok(!back.equals(upload), 'the cloud re-encodes what it stores');
    assert.equal((emu.control.writeCounts()[target] ?? 0) - writesBefore, 1);

    const gone = id(3);
    const del = await conn.writer.deletePhotos([
      { key: 'guid-3', identity: gone },
      { key: 'guid-4', identity: id(4) }, // had no photo: 404 = already gone = ok
    ]);
    assert.deepEqual(
      del.map((r) => r.ok),
      [true, true],
    );
    const m = (await conn.reader.photoMeta([gone])).get(gone);
    assert.deepEqual(m, { exists: false });
  });

  it('signs in with a certificate (client assertion) when the app has no secret', async () => {
    const conn = await connect({
      clientId: CERT_CLIENT_ID,
      credential: { kind: 'certificate', privateKeyPem: certificate.privateKeyPem, certificatePem: certificate.certificatePem },
    });
    emu.control.clearLog();
    const u = await conn.reader.user(id(1));
    assert.equal(u?.userPrincipalName, upn(1));
    assert.ok(emu.control.requestLog().some((e) => e.clientId === CERT_CLIENT_ID && e.status === 200));
  });

  it('a certificate the app registration does not know fails sign-in with advice to upload it', async () => {
    const stranger = await createClientCertificate('not uploaded');
    const conn = await connect({
      clientId: CERT_CLIENT_ID,
      credential: { kind: 'certificate', privateKeyPem: stranger.privateKeyPem, certificatePem: stranger.certificatePem },
    });
    await assert.rejects(
      conn.reader.user(id(1)),
      (e: unknown) => e instanceof CloudAuthError && e.code === 'AADSTS700027' && /upload the certificate/.test(e.advice ?? ''),
    );
  });

  it('a wrong secret fails sign-in with plain advice', async () => {
    const conn = await connect({ credential: { kind: 'secret', secret: 'not-the-secret' } });
    await assert.rejects(
      conn.reader.user(id(1)),
      (e: unknown) => e instanceof CloudAuthError && e.code === 'AADSTS7000215' && /check the client secret/.test(e.advice ?? ''),
    );
  });

  it('an unknown tenant fails sign-in with AADSTS90002 and advice to check cloud.tenantId (not endpoints_resolution_error)', async () => {
    const stranger = '00000000-1111-2222-3333-444444444444';
    const conn = await connect({ tenantId: stranger });
    await assert.rejects(conn.tokens.getToken(), (e: unknown) => {
      assert.ok(e instanceof CloudAuthError, String(e));
      assert.equal(e.code, 'AADSTS90002');
      assert.match(e.message, new RegExp(`authority host 127\\.0\\.0\\.1:\\d+ answered HTTP 400 to GET ${emu.baseUrl}/${stranger}/v2\\.0/\\.well-known/openid-configuration: AADSTS90002: Tenant '${stranger}' not found`));
      assert.match(e.advice ?? '', /Unknown tenant: check the tenant ID in cloud\.tenantId/);
      assert.match(e.advice ?? '', /cloud\.environment .*cloud\.authorityHost/);
      return true;
    });
  });

  it('a stopped sign-in endpoint (connection refused) names the host, the URL tried and ECONNREFUSED', async () => {
    // A second emulator on the same certificates, stopped: its port now refuses connections.
    const gone = await startEmulator({ state: { tenantId: emu.tenantId, clients: [], users: [] }, certDir: path.dirname(emu.caCertPath) });
    await gone.stop();
    const host = new URL(gone.baseUrl).host;
    const conn = await connect({ authorityHost: gone.baseUrl });
    await assert.rejects(conn.tokens.getToken(), (e: unknown) => {
      assert.ok(e instanceof CloudAuthError, String(e));
      assert.equal(
        e.message,
        `Sign-in to Entra ID failed: cannot connect to the authority host ${host} (ECONNREFUSED): ` +
          `GET ${gone.baseUrl}/${emu.tenantId}/v2.0/.well-known/openid-configuration: connect ECONNREFUSED ${host}`,
      );
      assert.match(e.advice ?? '', new RegExp(`^Nothing accepts connections at ${host}: check the host and port \\(cloud\\.authorityHost`));
      assert.doesNotMatch(`${e.message} ${e.advice}`, /endpoints_resolution_error|aka\.ms|see the message/);
      return true;
    });
  });

  it('an authority host name that does not resolve names the host and the DNS error (ENOTFOUND)', async function () {
    // .invalid never resolves (RFC 6761); an offline resolver may say EAI_AGAIN instead, so ask it what it says.
    const hostname = 'hps-no-such-authority.invalid';
    const dnsCode = await lookup(hostname).then(
      () => undefined,
      (err: NodeJS.ErrnoException) => err.code,
    );
    if (!dnsCode) this.skip();
    const conn = await connect({ authorityHost: `https://${hostname}` });
    await assert.rejects(conn.tokens.getToken(), (e: unknown) => {
      assert.ok(e instanceof CloudAuthError, String(e));
      assert.match(e.message, new RegExp(`cannot connect to the authority host ${hostname} \\(${dnsCode}\\): GET https://${hostname}/${emu.tenantId}/v2\\.0/`));
      if (dnsCode === 'ENOTFOUND') assert.match(e.advice ?? '', new RegExp(`DNS does not know the host name ${hostname}: check the spelling of cloud\\.authorityHost`));
      else assert.match(e.advice ?? '', new RegExp(hostname));
      return true;
    });
  });

  it('an untrusted authority certificate during discovery advises the extra CA file', async () => {
    const conn = await connect({ caFile: undefined });
    await assert.rejects(conn.tokens.getToken(), (e: unknown) => {
      assert.ok(e instanceof CloudAuthError, String(e));
      assert.match(e.message, /cannot connect to the authority host 127\.0\.0\.1:\d+ \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)\)/);
      assert.match(e.advice ?? '', /not trusted .*extra CA file \(cloud\.caFile\)/);
      return true;
    });
  });

  it('under throttling and injected 503/504s every read and write still succeeds within the bound of tries', async () => {
    // Above the default 5: with 20% injected 503/504 on top of 429s, 5 tries would fail now and then by pure chance.
    const maxTries = 10;
    const conn = await connect({ maxInFlight: 4, retry: { maxTries, baseDelayMs: 20, maxDelayMs: 200 } });
    await conn.tokens.getToken();
    emu.control.setFaults({ maxInFlightPerApp: 2, retryAfterSeconds: 0.05, errorRate: 0.2, seed: 42, latencyMs: 5 });
    emu.control.clearLog();
    try {
      const all = Array.from({ length: USERS }, (_, i) => id(i));
      const writeTargets = all.filter((_, i) => i % 2 === 0).slice(0, 8);
      const uploads = await Promise.all(writeTargets.map((_, k) => jpeg(2000 + k)));
      const [meta, writes] = await Promise.all([
        conn.reader.photoMeta(all),
        conn.writer.setPhotos(writeTargets.map((t, k) => ({ key: `w${k}`, identity: t, jpeg: uploads[k]! }))),
      ]);
      for (const [uid, m] of meta) assert.ok(!('error' in m), `${uid}: ${JSON.stringify(m)}`);
      assert.equal(meta.size, USERS);
      for (const w of writes) assert.equal(w.ok, true, JSON.stringify(w));

      const log = emu.control.requestLog();
      const throttled = log.filter((e) => e.status === 429).length;
      const faults = log.filter((e) => e.status === 503 || e.status === 504).length;
      assert.ok(throttled > 0, 'the emulator throttled some requests');
      assert.ok(faults > 0, 'the emulator injected some 503/504');
      // No single item or upload needed more than maxTries tries.
      const triesPerTarget = new Map<string, number>();
      for (const e of log) {
        if (e.method === 'PUT' || (e.batched && e.method === 'GET')) {
          const k = `${e.method} ${e.path}`;
          triesPerTarget.set(k, (triesPerTarget.get(k) ?? 0) + 1);
        }
      }
      const worst = Math.max(...triesPerTarget.values());
      assert.ok(worst <= maxTries, `worst ${worst} tries`);
      assert.ok(worst > 1, 'some request was retried');
    } finally {
      emu.control.setFaults({ maxInFlightPerApp: 4, retryAfterSeconds: 0.05 });
    }
  });

  it('survives connections reset without an answer (retried as network errors)', async () => {
    const conn = await connect({ retry: { maxTries: 10, baseDelayMs: 5, maxDelayMs: 50 } });
    await conn.tokens.getToken();
    emu.control.setFaults({ maxInFlightPerApp: 4, retryAfterSeconds: 0.05, resetRate: 0.3, seed: 3 });
    emu.control.clearLog();
    try {
      const users: CloudUser[] = [];
      for await (const u of conn.reader.users()) users.push(u);
      assert.equal(users.length, USERS);
      const one = await conn.reader.user(id(9));
      assert.equal(one?.userPrincipalName, upn(9));
      const meta = await conn.reader.photoMeta(Array.from({ length: USERS }, (_, i) => id(i)));
      assert.ok([...meta.values()].every((m) => !('error' in m)));
      assert.ok(
        emu.control.requestLog().some((e) => e.status === 0),
        'some sockets were destroyed',
      );
    } finally {
      emu.control.setFaults({ maxInFlightPerApp: 4, retryAfterSeconds: 0.05 });
    }
  });

  it('after the tokens are revoked, refreshes once and carries on', async () => {
    const conn = await connect();
    assert.equal((await conn.reader.user(id(2)))?.userPrincipalName, upn(2));
    emu.control.revokeTokens();
    emu.control.clearLog();
    assert.equal((await conn.reader.user(id(2)))?.userPrincipalName, upn(2));
    const log = emu.control.requestLog();
    const graph = log.filter((e) => e.path.startsWith('/v1.0/users'));
    assert.deepEqual(
      graph.map((e) => e.status),
      [401, 200],
    );
    assert.equal(log.filter((e) => /oauth2\/v2\.0\/token/.test(e.path)).length, 1, 'one new token');
  });

  it('detects the photo policy: cloud, then onPremises blocks cloud writes', async () => {
    const conn = await connect();
    assert.deepEqual((await conn.readPolicy()).source, 'cloud');
    emu.control.setPhotoUpdateSettings('onPremises');
    const p = await conn.readPolicy();
    assert.equal(p.source, 'onPremises');
    assert.equal(p.allowsCloudWrites, false);
    try {
      // A write anyway is one user's failure with advice, not an exception.
      const [w] = await conn.writer.setPhotos([{ key: 'blocked', identity: id(6), jpeg: await jpeg(77) }]);
      assert.equal(w?.ok, false);
      assert.equal(w?.status, 403);
      assert.equal(w?.errorId, 'Forbidden');
      assert.match(w?.advice ?? '', /onPremises/);
    } finally {
      emu.control.setPhotoUpdateSettings('cloud');
    }
  });
});

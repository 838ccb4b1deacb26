import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import sharp from 'sharp';
import { FaultController, mulberry32, normaliseFaults, retryAfterHeader } from '../../mocks/graph-emulator/faults.js';
import { availableSizes, cloudReencode, importStatePhoto, parseSizeId } from '../../mocks/graph-emulator/image.js';
import { b64url, decodeJwt, verifyRsaJwt } from '../../mocks/graph-emulator/jwt.js';
import { evaluate, FilterError, parseFilter } from '../../mocks/graph-emulator/odata-filter.js';
import { allows } from '../../mocks/graph-emulator/roles.js';
import { derivedUserId, loadState } from '../../mocks/graph-emulator/state.js';
import { TenantStore } from '../../mocks/graph-emulator/store.js';
import { tokenRequest } from '../../mocks/graph-emulator/token-endpoint.js';
import { TokenService } from '../../mocks/graph-emulator/tokens.js';
import { decodeSkipToken, encodeSkipToken } from '../../mocks/graph-emulator/users.js';

const TENANT = '11111111-2222-4333-8444-555555555555';
const PROPS = ['id', 'userPrincipalName', 'mail', 'onPremisesImmutableId', 'onPremisesSyncEnabled'];

describe('graph emulator: $filter', function () {
  const users = [
    { id: 'a', userPrincipalName: 'Ann@x.example', mail: 'ann@x.example', onPremisesImmutableId: 'AAA=', onPremisesSyncEnabled: true },
    { id: 'b', userPrincipalName: 'bob@x.example', mail: null, onPremisesImmutableId: null, onPremisesSyncEnabled: null },
    { id: 'c', userPrincipalName: "o'neil@x.example", mail: 'o@x.example', onPremisesImmutableId: 'CCC=', onPremisesSyncEnabled: true },
  ];
  const ids = (f: string): string[] => users.filter((u) => evaluate(parseFilter(f, PROPS), u)).map((u) => u.id);

  it('matches eq case-insensitively on strings, and null/booleans exactly', function () {
    assert.deepEqual(ids("userPrincipalName eq 'ANN@X.EXAMPLE'"), ['a']);
    assert.deepEqual(ids('mail eq null'), ['b']);
    assert.deepEqual(ids('onPremisesSyncEnabled eq true'), ['a', 'c']);
  });

  it('combines or / and / in / parentheses and unescapes quotes', function () {
    assert.deepEqual(ids("onPremisesImmutableId eq 'CCC=' or id eq 'a'"), ['a', 'c']);
    assert.deepEqual(ids("(id eq 'a' or id eq 'b') and mail ne null"), ['a']);
    assert.deepEqual(ids("id in ('b','c')"), ['b', 'c']);
    assert.deepEqual(ids("userPrincipalName eq 'o''neil@x.example'"), ['c']);
    assert.deepEqual(ids("startswith(mail,'o@')"), ['c']);
  });

  it('rejects unknown properties, operators and broken syntax', function () {
    assert.throws(() => parseFilter("city eq 'x'", PROPS), /Could not find a property named 'city'/);
    assert.throws(() => parseFilter("mail gt 'x'", PROPS), (e: FilterError) => e.code === 'Request_UnsupportedQuery');
    assert.throws(() => parseFilter("mail eq 'x", PROPS), FilterError);
    assert.throws(() => parseFilter("mail eq 'x' mail", PROPS), FilterError);
  });
});

describe('graph emulator: faults', function () {
  it('fills defaults and rejects nonsense', function () {
    const f = normaliseFaults({ latencyMs: 5 });
    assert.equal(f.maxInFlightPerApp, 4);
    assert.equal(f.retryAfterSeconds, 2.128);
    assert.equal(f.latencyMs, 5);
    assert.throws(() => normaliseFaults({ errorRate: 1.5 }), RangeError);
    assert.throws(() => normaliseFaults({ maxInFlightPerApp: 0 }), RangeError);
    assert.throws(() => normaliseFaults({ nope: 1 } as never), RangeError);
    assert.equal(f.concurrencyScope, 'app');
    assert.equal(normaliseFaults({ concurrencyScope: 'mailbox' }).concurrencyScope, 'mailbox');
    assert.throws(() => normaliseFaults({ concurrencyScope: 'tenant' as never }), RangeError);
  });

  it('formats fractional Retry-After', function () {
    assert.equal(retryAfterHeader(0.05), '0.05');
    assert.equal(retryAfterHeader(2.128), '2.128');
    assert.equal(retryAfterHeader(3), '3');
  });

  it('repeats the same outcomes for the same seed', function () {
    const draw = (seed: number) => {
      const c = new FaultController({ errorRate: 0.3, seed });
      return Array.from({ length: 50 }, () => c.drawError());
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    const r = mulberry32(1);
    const xs = Array.from({ length: 1000 }, r);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });

  it('gives at most maxInFlightPerApp slots per app, released once', function () {
    const c = new FaultController({ maxInFlightPerApp: 2 });
    const a1 = c.tryAcquire('app');
    const a2 = c.tryAcquire('app');
    assert.ok(a1 && a2);
    assert.equal(c.tryAcquire('app'), null);
    assert.ok(c.tryAcquire('other'), 'apps are counted separately');
    a1();
    a1();
    assert.ok(c.tryAcquire('app'));
    assert.equal(c.tryAcquire('app'), null, 'a double release does not free two slots');
  });

  it('under the mailbox scope counts slots per app per mailbox', function () {
    const c = new FaultController({ maxInFlightPerApp: 2, concurrencyScope: 'mailbox' });
    assert.ok(c.tryAcquire('app', 'u1') && c.tryAcquire('app', 'u1'));
    assert.equal(c.tryAcquire('app', 'u1'), null, 'the same mailbox is limited');
    assert.ok(c.tryAcquire('app', 'u2') && c.tryAcquire('app', 'u3'), 'other mailboxes are not');
    assert.ok(c.tryAcquire('app') && c.tryAcquire('app'));
    assert.equal(c.tryAcquire('app'), null, 'requests about no mailbox share one pool');
  });
});

describe('graph emulator: images', function () {
  const jpeg = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();

  it('re-encodes uploads to a JPEG within 648 px keeping the aspect, never byte-identical', async function () {
    const big = await sharp({ create: { width: 1000, height: 500, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const out = await cloudReencode(big);
    assert.deepEqual([out.width, out.height], [648, 324]);
    assert.equal((await sharp(out.jpeg).metadata()).format, 'jpeg');
    const small = await jpeg(100, 100);
    const again = await cloudReencode(small);
    assert.ok(!again.jpeg.equals(small));
    const twice = await cloudReencode(again.jpeg);
    assert.ok(!twice.jpeg.equals(again.jpeg), 'even its own output is not returned unchanged');
    await assert.rejects(cloudReencode(Buffer.from('nope')), /could not be decoded/);
  });

  it('re-encodes a repeated upload once: the same stored bytes, a new etag per write', async function () {
    const store = new TenantStore('t');
    const upload = await jpeg(120, 120);
    const first = await store.reencode(upload);
    const again = await store.reencode(Buffer.from(upload));
    assert.equal(again, first, 'the second upload of the same bytes is not re-encoded again');
    assert.ok(!first.jpeg.equals(upload), 'still re-encoded like the cloud');
    const other = await store.reencode(await jpeg(121, 121));
    assert.notEqual(other, first);
    const [a, b] = [store.setPhoto('u1', first), store.setPhoto('u2', again)];
    assert.notEqual(a.etag, b.etag, 'each write has its own etag');
    await assert.rejects(store.reencode(Buffer.from('nope')), /could not be decoded/);
  });

  it('keeps state photos that already look like cloud photos', async function () {
    const small = await jpeg(200, 150);
    assert.equal((await importStatePhoto(small)).jpeg, small);
    const large = await jpeg(900, 900);
    assert.equal((await importStatePhoto(large)).width, 648);
  });

  it('knows the HD sizes', function () {
    assert.deepEqual(availableSizes(504, 504), [48, 64, 96, 120, 240, 360, 432, 504]);
    assert.deepEqual(availableSizes(30, 30), [48]);
    assert.equal(parseSizeId('96x96'), 96);
    assert.equal(parseSizeId('96X96'), 96);
    assert.equal(parseSizeId('97x97'), null);
    assert.equal(parseSizeId('96x48'), null);
  });
});

describe('graph emulator: tokens and roles', function () {
  it('checks signature, audience, expiry and revocation', function () {
    let now = 1_000_000_000_000;
    const svc = new TokenService({ tenantId: TENANT, extraAudiences: ['https://127.0.0.1:1'], lifetimeSeconds: () => 60, now: () => now });
    const { accessToken } = svc.issue('app', ['User.Read.All'], 'https://graph.microsoft.com');
    const ok = svc.check(`Bearer ${accessToken}`);
    assert.ok(ok.ok && ok.claims.appid === 'app' && ok.claims.roles[0] === 'User.Read.All');
    assert.equal(svc.check(undefined).ok, false);
    const [h, p, sig] = accessToken.split('.') as [string, string, string];
    const escalated = { ...(JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as object), roles: ['User.ReadWrite.All'] };
    const tampered = `${h}.${b64url(JSON.stringify(escalated))}.${sig}`;
    assert.equal(svc.check(`Bearer ${tampered}`).ok, false);
    const other = new TokenService({ tenantId: TENANT, extraAudiences: [], lifetimeSeconds: () => 60, now: () => now });
    assert.equal(other.check(`Bearer ${accessToken}`).ok, false, 'another instance key does not verify');
    now += 61_000;
    const expired = svc.check(`Bearer ${accessToken}`);
    assert.ok(!expired.ok && /expired/.test(expired.message));
    const fresh = svc.issue('app', [], 'https://127.0.0.1:1/').accessToken;
    svc.revokeAll();
    assert.equal(svc.check(`Bearer ${fresh}`).ok, false);
  });

  it('maps operations to the documented application permissions', function () {
    assert.ok(allows(['ProfilePhoto.Read.All'], 'photo.read'));
    assert.ok(!allows(['ProfilePhoto.Read.All'], 'photo.write'));
    assert.ok(allows(['user.readwrite.all'], 'photo.write'));
    assert.ok(allows(['Directory.Read.All'], 'users.read'));
    assert.ok(!allows(['ProfilePhoto.ReadWrite.All'], 'users.read'));
    assert.ok(allows(['PeopleSettings.Read.All'], 'settings.read'));
    assert.ok(!allows(['PeopleSettings.Read.All'], 'settings.write'));
  });

  it('verifies RS256 and PS256 assertions with the public key only', function () {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const make = (alg: 'RS256' | 'PS256', pss: boolean) => {
      const input = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'x' }))}`;
      const sig = sign('sha256', Buffer.from(input), pss ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : privateKey);
      return decodeJwt(`${input}.${b64url(sig)}`)!;
    };
    assert.ok(verifyRsaJwt(make('RS256', false), publicKey));
    assert.ok(verifyRsaJwt(make('PS256', true), publicKey));
    assert.ok(!verifyRsaJwt(make('PS256', false), publicKey), 'alg must match the signature scheme');
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.ok(!verifyRsaJwt(make('RS256', false), otherKey));
  });

  it('answers the token endpoint like Entra ID for bad requests', function () {
    const tokens = new TokenService({ tenantId: TENANT, extraAudiences: [], lifetimeSeconds: () => 3599 });
    const deps = { tenantId: TENANT, baseUrl: 'https://127.0.0.1:1', tokens, clients: new Map([['app', { clientId: 'app', secret: 's3', roles: ['User.Read.All'] }]]) };
    const form = (extra: Record<string, string>) =>
      new URLSearchParams({ grant_type: 'client_credentials', client_id: 'app', scope: 'https://graph.microsoft.com/.default', ...extra });
    const codes = (a: { json: unknown }) => (a.json as { error: string; error_codes: number[] });
    const good = tokenRequest(deps, TENANT, form({ client_secret: 's3' }));
    assert.equal(good.status, 200);
    assert.equal((good.json as { expires_in: number }).expires_in, 3599);
    const wrong = tokenRequest(deps, TENANT, form({ client_secret: 'nope' }));
    assert.deepEqual([wrong.status, codes(wrong).error, codes(wrong).error_codes], [401, 'invalid_client', [7000215]]);
    const unknown = tokenRequest(deps, TENANT, form({ client_id: 'who', client_secret: 's3' }));
    assert.deepEqual([unknown.status, codes(unknown).error_codes], [400, [700016]]);
    const badScope = tokenRequest(deps, TENANT, form({ client_secret: 's3', scope: 'User.Read' }));
    assert.equal(codes(badScope).error, 'invalid_scope');
    const badTenant = tokenRequest(deps, '99999999-2222-4333-8444-555555555555', form({ client_secret: 's3' }));
    assert.deepEqual(codes(badTenant).error_codes, [90002]);
    const noCred = tokenRequest(deps, TENANT, form({}));
    assert.deepEqual([noCred.status, codes(noCred).error_codes], [401, [7000218]]);
  });
});

describe('graph emulator: state and paging helpers', function () {
  it('derives stable GUIDs for users without an id', function () {
    const a = derivedUserId(TENANT, 'A@x.example');
    assert.equal(a, derivedUserId(TENANT, 'a@X.example'));
    assert.notEqual(a, derivedUserId(TENANT, 'b@x.example'));
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('validates the state shape', async function () {
    await assert.rejects(loadState({ tenantId: 'not-a-guid', clients: [], users: [] }), /tenantId/);
    await assert.rejects(loadState({ tenantId: TENANT, clients: [], users: [{ userPrincipalName: 'no-at-sign' }] }), /invalid emulator state/);
    await assert.rejects(loadState('/nonexistent/state.json'), /cannot read state file/);
    const ok = await loadState({ tenantId: TENANT, clients: [{ clientId: 'c', roles: [] }], users: [{ userPrincipalName: 'u@x.example' }] });
    assert.equal(ok.state.users.length, 1);
  });

  it('round-trips skip tokens and rejects forged ones', function () {
    assert.equal(decodeSkipToken(encodeSkipToken(300)), 300);
    assert.equal(decodeSkipToken('garbage'), null);
    assert.equal(decodeSkipToken(Buffer.from('{"o":-1}').toString('base64url')), null);
  });
});

import assert from 'node:assert/strict';
import { createPublicKey, verify as verifySignature, constants } from 'node:crypto';
import nock from 'nock';
import {
  certificateThumbprints,
  createMsalTokenProvider,
  createNetworkModule,
  credentialOptions,
  singleFlight,
  type ClientCredential,
} from '../../src/cloud/auth.js';
import { resolveEndpoints } from '../../src/cloud/endpoints.js';
import { CloudAuthError, CloudConfigError } from '../../src/cloud/errors.js';

// A throw-away self-signed certificate made for these tests (openssl req -x509 -newkey rsa:2048 -nodes).
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDLzCCAhegAwIBAgIUPwAE752R1JO+DY8lrq6mkjr33oIwDQYJKoZIhvcNAQEL
BQAwJjEkMCIGA1UEAwwbaHlicmlkLXBob3RvLXN5bmMgdW5pdCB0ZXN0MCAXDTI2
MTEyMzExMzIwNFoYDzIxMjYxMDMwMTEzMjA0WjAmMSQwIgYDVQQDDBtoeWJyaWQt
cGhvdG8tc3luYyB1bml0IHRlc3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
AoIBAQCwnEnVc172FgX0qmkzUnIXmch88kMpzczGUXzxXAqSsG3YqmcEsc9RxikN
Vlm/p1VSqvwAkasLfAkCkyAHr1U+wE0pbZ6O+FGt/Afjb+gRB0IpwYGffOcv05zX
LFCmC8wP5bNizK2oPlQy4e7HWCB05hpUqpBBqEGCtpQqUdPABOE/+BgD3rt9HMwX
iZPQMZVlggwpTgv7FgZBJE/ckpg4XB6p7j1L/873Hg7YY0i5TrdoBG7Iglo5NWdA
BTJS4eEhw/XinkTce80nwIbRXX6ffr5df507zG1zW1hDgqMMxF1Bl+N/lNeFvPtl
myuEppYb9Y+AKMwrVwcl5dI+29lBAgMBAAGjUzBRMB0GA1UdDgQWBBQZfBxoJ02y
iCbdYZy9xd8mlLY+mzAfBgNVHSMEGDAWgBQZfBxoJ02yiCbdYZy9xd8mlLY+mzAP
BgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBHRG8vvoAqHT15OaUJ
otAGfP9JqRQhKQSyF2NPze3hwtXzipA4AZRTfhFTvAbuxYYkL34RrhQ+jNqg4YcV
Wg526Q3DOVsV+9mcFe/VE/c28+7N+/oApXkadgQvku1h7LvSNtFpXFttIck1X+HJ
DBD3RKvsFOGqt16iEwzGJqxG3q9LcSmkBV6PbW1Id3twsUj1unuMt+HfLabg8tIr
+NIJNtY7DqFmXFHTeqsp80/SYMLaCmEBszT3U2yWpXlgtfttCJYSOs+Up19MN4Zw
T7h4d2USMLZDYYJipguO5WDQZhu/5RstWwI2ypIhAaNojOss1TO4Pb9oJC1XiyqK
Y0Cl
-----END CERTIFICATE-----
`;
/** PKCS#1 ("BEGIN RSA PRIVATE KEY"): the provider converts it to PKCS#8 for MSAL. */
const KEY_PEM = `-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEAsJxJ1XNe9hYF9KppM1JyF5nIfPJDKc3MxlF88VwKkrBt2Kpn
BLHPUcYpDVZZv6dVUqr8AJGrC3wJApMgB69VPsBNKW2ejvhRrfwH42/oEQdCKcGB
n3znL9Oc1yxQpgvMD+WzYsytqD5UMuHux1ggdOYaVKqQQahBgraUKlHTwAThP/gY
A967fRzMF4mT0DGVZYIMKU4L+xYGQSRP3JKYOFweqe49S//O9x4O2GNIuU63aARu
yIJaOTVnQAUyUuHhIcP14p5E3HvNJ8CG0V1+n36+XX+dO8xtc1tYQ4KjDMRdQZfj
f5TXhbz7ZZsrhKaWG/WPgCjMK1cHJeXSPtvZQQIDAQABAoIBAA1M39SW2S5wLyej
U8PdMCFt3+bk+cDiskq3JVEp7NPqPIOGJbb5SxMt+LZ768tepzLQFKVYUwjM4QLU
IKPjhOhyY/08N6Yttj0Dj3aF3XS21rk9TO09Y027QoMD39j5Z3dFBbLpliRm+UFR
uYFCtkMHdzEsHSwMp05YQKVFP0ylEWcl5vWXvAVTSRVG/QnzvLE36HMCMtkiU1Th
lgffRv5VFu8hNLnAV8DjnYzxxbi+T6bNzH3F58BEgSU8KcNP9JyG7dI1QU2zIPfc
PGKLXuMC7eCZ31eL/IPZ/fyaeVnQXOt/PFqj6SDkdMDG0z7mMF2aqGvIiIqvIrfl
MO0/A2kCgYEA2PQIZl/wVBrGONpSEMZCt58BTcdZ6Jy8T/aGbjkwlqYW2xNM6uL/
U+/yxkaSeAi99MH0NVUGBcDgjUBibOiGarOJaL8QaMlGqTtI9av+bguRuN9sDFsL
35FCqyi6ZQgD4ILe1fx6nalslABvI0h1WD0xEuyFE8HkncToSnLSiQ0CgYEA0GV9
8HrkivaXFEKiKg94ADFfvwkK1pxnHzzm0F4zC64etiFE32smoUud/sG52sBiQ9/m
ZxD3NOYSv7bmOh9KlUspwOxPQMgAOaGpRVMh8MnGilPk1bZiTgpsm9pqJ3DIv49H
zeataqdZ8LTkCWP6tqh8O01v4uGk9pCjBzDY3AUCgYA4J3nhHaXz7vYtkvy40MhG
BMbundG8rozjWZjUAMN9ysGRtL4s8dJKpIm/Hlcc8I5SQr117GrhpFm61dZkAA+C
oLPJQ+L4bFh4xxqMVBdH3oC6TEIINKyvEkciTClqqxdtzhHlazNFiavL5wzdIg0V
aMlB76xGP+Jvn57MXkn2JQKBgHp9fUXxZg4MHQcql1izmOw8GTQXY4h7i91/lYea
JtTRtnmFGo9b0uvxn19TjSN3+wo8O5gPD87HAPQw1CgLpnIUKOmdvIOuSvuU+wKl
d4ipgQpjf1jih+upEueUvNqL32NBG4p58SqETUg/et3OJ1pftA3DWWV5DdZjc3/R
hVXlAoGAPMcq6M+Il2FWlI3+SohrqXOF6ZMHrOPjBVNKQJKfWN+tVfyo6v8dZyt8
na2txu9a6c5ZQ9mar673xnpDt08tMLNKM3BqSkRxHOh33HBKBAv/9bEblh8aA/Wh
iucs8h3tSokQcRJ6u0JLCvxeeRyvariYMa3PtfXdlMIfi7QS55s=
-----END RSA PRIVATE KEY-----
`;
// From `openssl x509 -noout -fingerprint -sha256 / -sha1` on CERT_PEM.
const OPENSSL_SHA256 = '12:27:0D:72:D5:EA:02:19:B6:E7:E9:62:39:0E:65:C6:A4:C1:1F:7C:91:D2:52:39:E7:85:92:D7:E7:B7:22:92';
const OPENSSL_SHA1 = '87:89:61:66:94:83:CD:85:BD:77:93:95:E5:67:EC:7C:28:50:AF:17';
const hex = (fp: string) => fp.replace(/:/g, '').toLowerCase();

const LOGIN = 'https://login.microsoftonline.com';
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
/** MSAL appends ?client-request-id=… to the token URL. */
const TOKEN_PATH = (path: string) => path.startsWith(`/${TENANT}/oauth2/v2.0/token`);

function openIdConfig() {
  return nock(LOGIN)
    .get(`/${TENANT}/v2.0/.well-known/openid-configuration`)
    .reply(200, {
      token_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/token`,
      authorization_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/logout`,
      issuer: `${LOGIN}/${TENANT}/v2.0`,
      jwks_uri: `${LOGIN}/${TENANT}/discovery/v2.0/keys`,
    });
}

function provider(credential: ClientCredential) {
  return createMsalTokenProvider({
    tenantId: TENANT,
    clientId: CLIENT,
    credential,
    endpoints: resolveEndpoints(),
    fetch: (url, init) => globalThis.fetch(url, init),
  });
}

const tokenAnswer = (token: string) => ({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });

describe('cloud/auth', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('gets an app-only token with a client secret, caches it, and skips the cache on forceRefresh', async () => {
    openIdConfig();
    const forms: URLSearchParams[] = [];
    const token = nock(LOGIN)
      .post(TOKEN_PATH, (body) => (forms.push(new URLSearchParams(body as string)), true))
      .times(2)
      .reply(200, () => tokenAnswer(`at-${forms.length}`));
    const tokens = provider({ kind: 'secret', secret: 's3cret' });
    assert.equal(await tokens.getToken(), 'at-1');
    assert.equal(await tokens.getToken(), 'at-1');
    assert.equal(await tokens.getToken(true), 'at-2');
    assert.ok(token.isDone());
    assert.equal(forms[0]?.get('client_id'), CLIENT);
    assert.equal(forms[0]?.get('client_secret'), 's3cret');
    assert.equal(forms[0]?.get('grant_type'), 'client_credentials');
    assert.match(forms[0]?.get('scope') ?? '', /https:\/\/graph\.microsoft\.com\/\.default/);
  });

  it('turns AADSTS7000215 into a CloudAuthError that says to check the client secret', async () => {
    openIdConfig();
    nock(LOGIN)
      .post(TOKEN_PATH)
      .reply(401, {
        error: 'invalid_client',
        error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID. Trace ID: t",
        error_codes: [7000215],
      });
    await assert.rejects(
      provider({ kind: 'secret', secret: 'wrong' }).getToken(),
      (e: unknown) => e instanceof CloudAuthError && e.code === 'AADSTS7000215' && /check the client secret/.test(e.advice ?? '') && e.cause !== undefined,
    );
  });

  it('reports an unknown application (AADSTS700016) with advice about the client ID', async () => {
    openIdConfig();
    nock(LOGIN)
      .post(TOKEN_PATH)
      .reply(400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${CLIENT}' was not found in the directory.`, error_codes: [700016] });
    await assert.rejects(provider({ kind: 'secret', secret: 'x' }).getToken(), (e: unknown) => e instanceof CloudAuthError && /client \(application\) ID/.test(e.advice ?? ''));
  });

  it('keeps the network failure detail (e.g. an untrusted proxy certificate) in the advice', async () => {
    // MSAL falls back to built-in metadata when discovery fails, then tries the token endpoint: both fail.
    const tlsFailure = { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' };
    nock(LOGIN).get(`/${TENANT}/v2.0/.well-known/openid-configuration`).replyWithError(tlsFailure);
    nock(LOGIN).post(TOKEN_PATH).times(3).replyWithError(tlsFailure);
    await assert.rejects(
      provider({ kind: 'secret', secret: 'x' }).getToken(),
      (e: unknown) => e instanceof CloudAuthError && /extra CA/.test(e.advice ?? '') && /self-signed/.test(e.message),
    );
  });

  it('signs a client assertion with the certificate: PS256 with x5t#S256 of the certificate', async () => {
    openIdConfig();
    let assertion = '';
    nock(LOGIN)
      .post(TOKEN_PATH, (body) => {
        const form = new URLSearchParams(body as string);
        assertion = form.get('client_assertion') ?? '';
        return form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && !form.has('client_secret');
      })
      .reply(200, tokenAnswer('cert-token'));
    assert.equal(await provider({ kind: 'certificate', privateKeyPem: KEY_PEM, certificatePem: CERT_PEM }).getToken(), 'cert-token');
    const [h, p, s] = assertion.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, string>;
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(header.alg, 'PS256');
    assert.equal(Buffer.from(header['x5t#S256']!, 'base64url').toString('hex'), hex(OPENSSL_SHA256));
    assert.equal(payload.iss, CLIENT);
    assert.equal(payload.sub, CLIENT);
    assert.match(String(payload.aud), new RegExp(`${TENANT}/oauth2/v2.0/token`));
    const ok = verifySignature(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: createPublicKey(CERT_PEM), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(s!, 'base64url'),
    );
    assert.ok(ok, 'assertion signature verifies with the certificate public key');
  });

  it('computes thumbprints like openssl and picks SHA-256 or legacy SHA-1', () => {
    assert.deepEqual(certificateThumbprints(CERT_PEM), { sha1: hex(OPENSSL_SHA1), sha256: hex(OPENSSL_SHA256) });
    const fromCert = credentialOptions({ kind: 'certificate', privateKeyPem: KEY_PEM, certificatePem: CERT_PEM });
    assert.equal(fromCert.clientCertificate?.thumbprintSha256, hex(OPENSSL_SHA256));
    assert.match(fromCert.clientCertificate?.privateKey ?? '', /-----BEGIN PRIVATE KEY-----/);
    const sha1 = credentialOptions({ kind: 'certificate', privateKeyPem: KEY_PEM, thumbprint: OPENSSL_SHA1 });
    assert.equal(sha1.clientCertificate?.thumbprint, hex(OPENSSL_SHA1));
    assert.equal(sha1.clientCertificate?.thumbprintSha256, undefined);
    const x5c = credentialOptions({ kind: 'certificate', privateKeyPem: KEY_PEM, certificatePem: CERT_PEM, sendX5c: true });
    assert.equal(x5c.clientCertificate?.x5c, CERT_PEM);
  });

  it('rejects unusable certificate material with CloudConfigError before any I/O', () => {
    assert.throws(() => credentialOptions({ kind: 'certificate', privateKeyPem: 'junk', certificatePem: CERT_PEM }), CloudConfigError);
    assert.throws(() => credentialOptions({ kind: 'certificate', privateKeyPem: KEY_PEM }), /needs the certificate or its thumbprint/);
    assert.throws(() => credentialOptions({ kind: 'certificate', privateKeyPem: KEY_PEM, thumbprint: 'abc' }), /not a SHA-256/);
    assert.throws(() => credentialOptions({ kind: 'certificate', privateKeyPem: KEY_PEM, certificatePem: CERT_PEM, thumbprint: 'ab'.repeat(32) }), /does not match/);
    assert.throws(() => credentialOptions({ kind: 'certificate', privateKeyPem: KEY_PEM, certificatePem: 'not a cert' }), /readable PEM/);
    assert.throws(() => credentialOptions({ kind: 'secret', secret: '' }), /empty/);
  });

  it('singleFlight shares one refresh between concurrent callers; a forced refresh does not join a cached read', async () => {
    const calls: boolean[] = [];
    const releases: (() => void)[] = [];
    const tp = singleFlight((force) => {
      calls.push(force);
      const n = calls.length;
      return new Promise<string>((resolve) => releases.push(() => resolve(`t${n}`)));
    });
    const a = tp.getToken(true);
    const b = tp.getToken(true);
    const c = tp.getToken();
    releases.shift()?.();
    assert.deepEqual(await Promise.all([a, b, c]), ['t1', 't1', 't1']);
    const d = tp.getToken();
    const e = tp.getToken(true);
    assert.deepEqual(calls, [true, false, true]);
    releases.forEach((r) => r());
    assert.deepEqual(await Promise.all([d, e]), ['t2', 't3']);
  });

  it('the network module returns lower-cased headers and JSON, and explains non-JSON answers', async () => {
    const net = createNetworkModule(async () => new Response('{"a":1}', { status: 200, headers: { 'X-Ms-Request-Id': 'r' } }));
    const res = await net.sendGetRequestAsync<{ a: number }>('https://login.example/x');
    assert.deepEqual(res, { status: 200, headers: { 'content-type': 'text/plain;charset=UTF-8', 'x-ms-request-id': 'r' }, body: { a: 1 } });
    const html = createNetworkModule(async () => new Response('<html>blocked by proxy</html>', { status: 403 }));
    await assert.rejects(html.sendPostRequestAsync('https://login.example/t', { body: 'x' }), /HTTP 403 with a non-JSON body: <html>blocked by proxy/);
  });
});

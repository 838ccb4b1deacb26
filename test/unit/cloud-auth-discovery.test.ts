/**
 * Sign-in failures around MSAL's endpoint discovery. For an authority MSAL has no built-in metadata for (sovereign
 * hosts such as login.chinacloudapi.cn, proxies, the emulator) it first GETs the tenant's OpenID configuration and
 * turns any failure there into a bare "endpoints_resolution_error"; the provider must say what really happened.
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { createMsalTokenProvider, createNetworkModule, toCloudAuthError, type FailedGet } from '../../src/cloud/auth.js';
import { resolveEndpoints } from '../../src/cloud/endpoints.js';
import { adviceForDiscoveryAnswer, adviceForSignInNetworkError, CloudAuthError } from '../../src/cloud/errors.js';

const AUTHORITY_HOST = 'https://login.contoso.test';
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const DISCOVERY_PATH = `/${TENANT}/v2.0/.well-known/openid-configuration`;
const DISCOVERY_URL = `${AUTHORITY_HOST}${DISCOVERY_PATH}`;
const TOKEN_PATH = (path: string) => path.startsWith(`/${TENANT}/oauth2/v2.0/token`);

function provider(authorityHost = AUTHORITY_HOST, secret = 'do-not-print-me') {
  return createMsalTokenProvider({
    tenantId: TENANT,
    clientId: CLIENT,
    credential: { kind: 'secret', secret },
    endpoints: resolveEndpoints({ authorityHost, graphBaseUrl: 'https://graph.contoso.test' }),
    fetch: (url, init) => globalThis.fetch(url, init),
  });
}

function openIdConfig(issuerHost = AUTHORITY_HOST) {
  const a = `${AUTHORITY_HOST}/${TENANT}`;
  return {
    token_endpoint: `${a}/oauth2/v2.0/token`,
    authorization_endpoint: `${a}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${a}/oauth2/v2.0/logout`,
    jwks_uri: `${a}/discovery/v2.0/keys`,
    issuer: `${issuerHost}/${TENANT}/v2.0`,
  };
}

const networkError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** The error getToken() rejects with, checked to be a CloudAuthError that prints no secret. */
async function failure(p: Promise<string>): Promise<CloudAuthError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CloudAuthError, String(err));
    assert.doesNotMatch(`${err.message} ${err.advice}`, /do-not-print-me/);
    return err;
  }
  assert.fail('sign-in should have failed');
}

describe('cloud/auth: endpoint discovery failures', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  it('connection refused: names the authority host, the URL tried and ECONNREFUSED, not MSAL’s endpoints_resolution_error', async () => {
    nock(AUTHORITY_HOST).get(DISCOVERY_PATH).replyWithError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 192.0.2.7:443'));
    const e = await failure(provider().getToken());
    assert.equal(e.message, `Sign-in to Entra ID failed: cannot connect to the authority host login.contoso.test (ECONNREFUSED): GET ${DISCOVERY_URL}: connect ECONNREFUSED 192.0.2.7:443`);
    assert.match(e.advice ?? '', /^Nothing accepts connections at login\.contoso\.test: check the host and port \(cloud\.authorityHost/);
    assert.equal(e.code, undefined);
    assert.ok(e.cause instanceof Error, 'the network error is the cause');
    assert.doesNotMatch(`${e.message} ${e.advice}`, /endpoints_resolution_error|aka\.ms|see the message/);
  });

  it('unknown host name: ENOTFOUND with DNS advice; a port in the authority is kept in the host', async () => {
    nock('https://login.contoso.test:8443').get(DISCOVERY_PATH).replyWithError(networkError('ENOTFOUND', 'getaddrinfo ENOTFOUND login.contoso.test'));
    const e = await failure(provider('https://login.contoso.test:8443').getToken());
    assert.match(e.message, /cannot connect to the authority host login\.contoso\.test:8443 \(ENOTFOUND\): GET https:\/\/login\.contoso\.test:8443\/.*: getaddrinfo ENOTFOUND/);
    assert.match(e.advice ?? '', /^DNS does not know the host name login\.contoso\.test: check the spelling of cloud\.authorityHost/);
  });

  it('a TLS failure during discovery advises the extra CA file', async () => {
    nock(AUTHORITY_HOST).get(DISCOVERY_PATH).replyWithError(networkError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'));
    const e = await failure(provider().getToken());
    assert.match(e.message, /\(SELF_SIGNED_CERT_IN_CHAIN\): GET .*: self-signed certificate in certificate chain$/);
    assert.match(e.advice ?? '', /not trusted \(SELF_SIGNED_CERT_IN_CHAIN\).*extra CA file \(cloud\.caFile\)/);
  });

  it('unknown tenant (AADSTS90002 from the OpenID configuration): tenant advice and the AADSTS code', async () => {
    nock(AUTHORITY_HOST)
      .get(DISCOVERY_PATH)
      .reply(400, {
        error: 'invalid_tenant',
        error_description: `AADSTS90002: Tenant '${TENANT}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.\r\nTrace ID: t\r\nCorrelation ID: c`,
        error_codes: [90002],
      });
    const e = await failure(provider().getToken());
    assert.equal(e.code, 'AADSTS90002');
    assert.equal(
      e.message,
      `Sign-in to Entra ID failed: the authority host login.contoso.test answered HTTP 400 to GET ${DISCOVERY_URL}: AADSTS90002: Tenant '${TENANT}' not found. ` +
        'Check to make sure you have the correct tenant ID and are signing into the correct cloud.',
    );
    assert.match(e.advice ?? '', /^Unknown tenant: check the tenant ID in cloud\.tenantId/);
  });

  it('an answer that is not an OpenID configuration (a proxy page, a 404) points at cloud.authorityHost', async () => {
    nock(AUTHORITY_HOST).get(DISCOVERY_PATH).reply(404, '<html>Not Found</html>');
    const e = await failure(provider().getToken());
    assert.match(e.message, /answered HTTP 404 to GET .*openid-configuration: <html>Not Found<\/html>$/);
    assert.equal(e.code, undefined);
    assert.match(e.advice ?? '', /login\.contoso\.test answered HTTP 404 .*cloud\.authorityHost is the Entra ID sign-in root/);
  });

  it('a configuration MSAL rejects (issuer on another host) names the URL; an earlier failure is not reported again', async () => {
    const tokens = provider();
    nock(AUTHORITY_HOST).get(DISCOVERY_PATH).replyWithError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 192.0.2.7:443'));
    assert.match((await failure(tokens.getToken())).message, /ECONNREFUSED/);
    nock(AUTHORITY_HOST).get(DISCOVERY_PATH).reply(200, openIdConfig('https://evil.example'));
    const e = await failure(tokens.getToken());
    assert.doesNotMatch(e.message, /ECONNREFUSED/);
    assert.equal(e.message, `Sign-in to Entra ID failed: the OpenID configuration at ${DISCOVERY_URL} is not usable (MSAL endpoints_resolution_error)`);
    assert.match(e.advice ?? '', /cloud\.authorityHost .*cloud\.tenantId/);
  });

  it('after a good discovery, the token endpoint’s own errors come through as before', async () => {
    nock(AUTHORITY_HOST).get(DISCOVERY_PATH).reply(200, openIdConfig());
    nock(AUTHORITY_HOST)
      .post(TOKEN_PATH)
      .reply(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
    const e = await failure(provider().getToken());
    assert.equal(e.code, 'AADSTS7000215');
  });

  it('a token endpoint that refuses connections (built-in metadata, no discovery) gets host-specific advice', async () => {
    nock('https://login.microsoftonline.com').post(TOKEN_PATH).times(3).replyWithError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 20.190.160.1:443'));
    const e = await failure(provider('https://login.microsoftonline.com').getToken());
    assert.match(e.message, /POST https:\/\/login\.microsoftonline\.com\/.*ECONNREFUSED/);
    assert.match(e.advice ?? '', /^Nothing accepts connections at login\.microsoftonline\.com/);
  });

  it('the network module reports failed and error-answered GETs, not POSTs or good answers', async () => {
    const seen: FailedGet[] = [];
    const answers = [new Response('{"ok":true}'), new Response('{"error":"invalid_tenant"}', { status: 400 }), new Response('<html/>', { status: 502 })];
    const net = createNetworkModule(async (url) => {
      if (url.endsWith('/down')) throw new TypeError('fetch failed', { cause: networkError('ECONNREFUSED', 'connect ECONNREFUSED') });
      return answers.shift() ?? new Response('{}');
    }, (f) => seen.push(f));
    await net.sendGetRequestAsync('https://a.test/ok');
    await net.sendGetRequestAsync('https://a.test/tenant');
    await assert.rejects(net.sendGetRequestAsync('https://a.test/proxy'), /HTTP 502 with a non-JSON body/);
    await assert.rejects(net.sendPostRequestAsync('https://a.test/down', { body: '' }), /ECONNREFUSED/);
    await assert.rejects(net.sendGetRequestAsync('https://a.test/down'), /ECONNREFUSED/);
    assert.deepEqual(
      seen.map((f) => ('error' in f ? `${f.url} error` : `${f.url} ${f.status} ${JSON.stringify(f.body)}`)),
      ['https://a.test/tenant 400 {"error":"invalid_tenant"}', 'https://a.test/proxy 502 "<html/>"', 'https://a.test/down error'],
    );
  });

  it('without a context, toCloudAuthError keeps the old generic mapping', () => {
    const msal = Object.assign(new Error('endpoints_resolution_error: See https://aka.ms/msal.js.errors#endpoints_resolution_error for details'), {
      errorCode: 'endpoints_resolution_error',
    });
    assert.match(toCloudAuthError(msal).message, /endpoints_resolution_error/);
    const withContext = toCloudAuthError(msal, { authority: `${AUTHORITY_HOST}/${TENANT}` });
    assert.match(withContext.message, /OpenID configuration at https:\/\/login\.contoso\.test\/.*openid-configuration is not usable/);
  });

  it('advice tables: network codes and discovery answers', () => {
    assert.match(adviceForSignInNetworkError('EAI_AGAIN', 'login.contoso.test'), /DNS could not look up login\.contoso\.test/);
    assert.match(adviceForSignInNetworkError('UND_ERR_CONNECT_TIMEOUT', 'login.contoso.test'), /did not answer in time/);
    assert.match(adviceForSignInNetworkError('ERR_TLS_CERT_ALTNAME_INVALID', 'login.contoso.test'), /not trusted/);
    assert.match(adviceForSignInNetworkError(undefined, 'login.contoso.test'), /^Could not reach the sign-in endpoint login\.contoso\.test: /);
    assert.deepEqual(adviceForDiscoveryAnswer(400, 'AADSTS90002: Tenant x not found.', 'h').code, 'AADSTS90002');
    assert.equal(adviceForDiscoveryAnswer(400, 'AADSTS99999: new', 'h').code, 'AADSTS99999');
    assert.match(adviceForDiscoveryAnswer(404, '', 'h').advice, /^h answered HTTP 404/);
  });
});

/**
 * The Entra ID side, as MSAL Node calls it with knownAuthorities set: OpenID configuration, instance
 * discovery, JWKS, and POST /{tenant}/oauth2/v2.0/token for client credentials with a client secret or a
 * client assertion (RS256/PS256 JWT signed with the app's certificate key). Errors carry AADSTS texts.
 */
import { createHash, randomUUID, timingSafeEqual, X509Certificate } from 'node:crypto';
import { decodeJwt, verifyRsaJwt } from './jwt.js';
import type { TokenService } from './tokens.js';
import type { EmulatorClient } from './types.js';

export interface TokenEndpointDeps {
  tenantId: string;
  /** https://127.0.0.1:PORT */
  baseUrl: string;
  clients: ReadonlyMap<string, EmulatorClient>;
  tokens: TokenService;
  now?: () => number;
}

export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  json: unknown;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const json = (status: number, body: unknown): PlainAnswer => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
  json: body,
});

/** Entra's OAuth error body, e.g. invalid_client with AADSTS7000215. */
export function oauthError(status: number, error: string, aadsts: number, text: string): PlainAnswer {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  return json(status, {
    error,
    error_description: `AADSTS${aadsts}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  });
}

export function openIdConfiguration(deps: TokenEndpointDeps): unknown {
  const a = `${deps.baseUrl}/${deps.tenantId}`;
  const host = new URL(deps.baseUrl).host;
  return {
    token_endpoint: `${a}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${deps.baseUrl}/${deps.tenantId}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${a}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${deps.baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${a}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${a}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${a}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'roles'],
    kerberos_endpoint: `${a}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: host,
    cloud_graph_host_name: host,
    msgraph_host: host,
    rbac_url: deps.baseUrl,
  };
}

export function instanceDiscovery(deps: TokenEndpointDeps): unknown {
  const host = new URL(deps.baseUrl).host;
  return {
    tenant_discovery_endpoint: `${deps.baseUrl}/${deps.tenantId}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Check a client assertion against the app's certificate; null when it is good, else the error answer. */
function checkAssertion(deps: TokenEndpointDeps, client: EmulatorClient, assertion: string): PlainAnswer | null {
  const jwt = decodeJwt(assertion);
  if (!jwt) return oauthError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
  if (!client.certificatePem) {
    return oauthError(401, 'invalid_client', 700027, `The certificate used to sign the client assertion is not registered on application '${client.clientId}'.`);
  }
  const cert = new X509Certificate(client.certificatePem);
  const der = cert.raw;
  const x5t = jwt.header['x5t'];
  const x5t256 = jwt.header['x5t#S256'];
  const sha1 = createHash('sha1').update(der).digest('base64url');
  const sha256 = createHash('sha256').update(der).digest('base64url');
  if ((typeof x5t === 'string' && x5t !== sha1) || (typeof x5t256 === 'string' && x5t256 !== sha256)) {
    return oauthError(
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${String(x5t256 ?? x5t)}']`,
    );
  }
  let valid = false;
  try {
    valid = verifyRsaJwt(jwt, cert.publicKey);
  } catch {
    valid = false;
  }
  if (!valid) return oauthError(401, 'invalid_client', 700027, 'Client assertion contains an invalid signature.');
  const p = jwt.payload;
  const nowS = Math.floor((deps.now ?? Date.now)() / 1000);
  const skew = 300;
  const exp = typeof p['exp'] === 'number' ? p['exp'] : undefined;
  const nbf = typeof p['nbf'] === 'number' ? p['nbf'] : undefined;
  if (exp === undefined || exp + skew < nowS || (nbf !== undefined && nbf - skew > nowS)) {
    return oauthError(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(nowS * 1000).toISOString()}.`);
  }
  const a = `${deps.baseUrl}/${deps.tenantId}`;
  const audiences = [`${a}/oauth2/v2.0/token`, `${a}/oauth2/token`, `${a}/v2.0`];
  const aud = Array.isArray(p['aud']) ? p['aud'] : [p['aud']];
  if (!aud.some((x) => typeof x === 'string' && audiences.includes(x))) {
    return oauthError(401, 'invalid_client', 50027, `Invalid JWT token: the assertion audience '${String(p['aud'])}' is not this token endpoint.`);
  }
  if (p['iss'] !== client.clientId || p['sub'] !== client.clientId) {
    return oauthError(401, 'invalid_client', 50027, 'Invalid JWT token: iss and sub must be the client id.');
  }
  return null;
}

/** POST /{tenant}/oauth2/v2.0/token with a form body. */
export function tokenRequest(deps: TokenEndpointDeps, tenant: string, form: URLSearchParams, basicAuth?: string): PlainAnswer {
  if (tenant.toLowerCase() !== deps.tenantId.toLowerCase()) {
    return oauthError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`);
  }
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  const basic = /^Basic\s+(\S+)$/i.exec(basicAuth ?? '');
  if (basic?.[1]) {
    const [id, sec] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    clientId ??= decodeURIComponent(id ?? '');
    secret ??= decodeURIComponent(sec ?? '');
  }
  const grant = form.get('grant_type');
  if (!grant) return oauthError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
  if (grant !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
  }
  if (!clientId) return oauthError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  const client = deps.clients.get(clientId.toLowerCase());
  if (!client) {
    return oauthError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${deps.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant.`,
    );
  }
  const scope = form.get('scope');
  if (!scope) return oauthError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
  const scopes = scope.split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
  const resource = scopes.length === 1 && scopes[0]!.endsWith('/.default') ? scopes[0]!.slice(0, -'/.default'.length) : null;
  if (resource === null) {
    return oauthError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  if (!deps.tokens.isKnownResource(resource)) {
    return oauthError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${deps.tenantId}.`);
  }
  const assertion = form.get('client_assertion');
  if (assertion) {
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      return oauthError(400, 'invalid_request', 900144, `client_assertion_type must be '${JWT_BEARER}'.`);
    }
    const problem = checkAssertion(deps, client, assertion);
    if (problem) return problem;
  } else if (secret) {
    if (!client.secret || !safeEqual(secret, client.secret)) {
      return oauthError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
      );
    }
  } else {
    return oauthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const { accessToken, expiresIn } = deps.tokens.issue(client.clientId, client.roles, resource);
  return json(200, { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken });
}

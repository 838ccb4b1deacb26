import assert from 'node:assert/strict';
import {
  aadstsCode,
  adviceForAuthFailure,
  adviceForGraphStatus,
  adviceForNetworkError,
  CloudAuthError,
  CloudError,
  GraphRequestError,
  isTransientNetworkError,
  networkErrorCode,
  parseGraphError,
} from '../../src/cloud/errors.js';
import { toCloudAuthError } from '../../src/cloud/auth.js';

describe('cloud/errors', () => {
  it('parses Graph error bodies from objects, strings and buffers, tolerating junk', () => {
    const body = { error: { code: 'ErrorAccessDenied', message: 'Access is denied.', innerError: { code: 'x', 'request-id': 'r-1' } } };
    const want = { code: 'ErrorAccessDenied', message: 'Access is denied.', innerCode: 'x', requestId: 'r-1' };
    assert.deepEqual(parseGraphError(body), want);
    assert.deepEqual(parseGraphError(JSON.stringify(body)), want);
    assert.deepEqual(parseGraphError(Buffer.from(JSON.stringify(body))), want);
    assert.deepEqual(parseGraphError('<html>proxy</html>'), {});
    assert.deepEqual(parseGraphError(null), {});
    assert.deepEqual(parseGraphError({ error: 'nope' }), {});
  });

  it('advises the write permission (and the on-prem photo policy) on a 403 write', () => {
    const a = adviceForGraphStatus(403, 'write-photo', { code: 'ErrorAccessDenied' });
    assert.equal(a.errorId, 'Forbidden');
    assert.equal(a.retryable, false);
    assert.match(a.advice, /ProfilePhoto\.ReadWrite\.All/);
    assert.match(a.advice, /User\.ReadWrite\.All/);
    assert.match(a.advice, /admin consent/);
    assert.match(a.advice, /onPremises/);
  });

  it('advises per operation: read users, read photos, read policy', () => {
    assert.match(adviceForGraphStatus(403, 'read-users').advice, /User\.Read\.All/);
    assert.match(adviceForGraphStatus(403, 'read-photo').advice, /ProfilePhoto\.Read\.All/);
    assert.match(adviceForGraphStatus(403, 'read-policy').advice, /PeopleSettings\.Read\.All/);
    assert.match(adviceForGraphStatus(404, 'read-policy').advice, /photoUpdateSettings/);
  });

  it('keys on the status, not the code string', () => {
    assert.equal(adviceForGraphStatus(404, 'write-photo', { code: 'ImageNotFound' }).errorId, 'NotFound');
    assert.equal(adviceForGraphStatus(404, 'write-photo', { code: 'ResourceNotFound' }).errorId, 'NotFound');
    assert.equal(adviceForGraphStatus(413, 'write-photo').errorId, 'RequestEntityTooLarge');
    assert.match(adviceForGraphStatus(413, 'write-photo').advice, /4 MB/);
    assert.match(adviceForGraphStatus(400, 'write-photo', { code: 'ErrorInvalidImage' }).advice, /JPEG.*ErrorInvalidImage/s);
  });

  it('marks throttling and server errors retryable, client errors not', () => {
    for (const s of [429, 500, 502, 503, 504]) assert.equal(adviceForGraphStatus(s, 'batch').retryable, true, `status ${s}`);
    for (const s of [400, 401, 403, 404, 409, 413]) assert.equal(adviceForGraphStatus(s, 'batch').retryable, false, `status ${s}`);
    assert.equal(adviceForGraphStatus(409, 'batch').errorId, 'Http409');
  });

  it('maps AADSTS codes to plain advice', () => {
    assert.equal(aadstsCode('AADSTS7000215: Invalid client secret provided.'), 'AADSTS7000215');
    const secret = adviceForAuthFailure('invalid_client: AADSTS7000215: Invalid client secret provided. Trace ID: x');
    assert.equal(secret.code, 'AADSTS7000215');
    assert.match(secret.advice, /check the client secret/);
    assert.match(adviceForAuthFailure('AADSTS700016: Application with identifier x was not found').advice, /client \(application\) ID/);
    assert.match(adviceForAuthFailure('AADSTS700027: Client assertion contains an invalid signature').advice, /upload the certificate/);
    assert.match(adviceForAuthFailure('AADSTS90002: Tenant not found').advice, /tenant ID/);
    assert.match(adviceForAuthFailure('self-signed certificate in certificate chain').advice, /extra CA/);
    assert.match(adviceForAuthFailure('x', 'network_error').advice, /Could not reach/);
    assert.match(adviceForAuthFailure('AADSTS12345: something new').advice, /AADSTS12345/);
  });

  it('wraps MSAL-shaped errors into CloudAuthError with code, advice and cause', () => {
    const msal = Object.assign(new Error('invalid_client: Error(s): 7000215'), {
      errorCode: 'invalid_client',
      errorMessage: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'x'.",
    });
    const e = toCloudAuthError(msal);
    assert.ok(e instanceof CloudAuthError && e instanceof CloudError && e instanceof Error);
    assert.equal(e.name, 'CloudAuthError');
    assert.equal(e.code, 'AADSTS7000215');
    assert.match(e.advice ?? '', /check the client secret/);
    assert.equal(e.cause, msal);
    assert.equal(toCloudAuthError(e), e);
  });

  it('finds network error codes through cause chains and classifies them', () => {
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    assert.equal(networkErrorCode(reset), 'UND_ERR_SOCKET');
    assert.equal(isTransientNetworkError(reset), true);
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    assert.equal(isTransientNetworkError(timeout), true);
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    assert.equal(isTransientNetworkError(refused), false);
    assert.equal(adviceForNetworkError(refused).retryable, false);
    const tls = new TypeError('fetch failed', { cause: Object.assign(new Error('self-signed certificate'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }) });
    assert.equal(adviceForNetworkError(tls).errorId, 'TlsUntrusted');
    assert.equal(adviceForNetworkError(reset).retryable, true);
  });

  it('GraphRequestError carries status, errorId, retryable and cause', () => {
    const cause = new Error('root');
    const e = new GraphRequestError('boom', { status: 503, errorId: 'ServiceUnavailable', retryable: true, cause, advice: 'later' });
    assert.equal(e.status, 503);
    assert.equal(e.errorId, 'ServiceUnavailable');
    assert.equal(e.retryable, true);
    assert.equal(e.cause, cause);
    assert.equal(e.advice, 'later');
    assert.equal(e.name, 'GraphRequestError');
  });
});

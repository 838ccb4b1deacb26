import assert from 'node:assert/strict';
import { ConfidentialityRequiredError, InvalidCredentialsError, StrongAuthRequiredError } from 'ldapts';
import { DirectoryAuthError, DirectoryConnectError } from '../../src/directory/errors.js';
import { classifyConnectError, type ConnectContext } from '../../src/directory/ldap-errors.js';

const CTX: ConnectContext = { url: 'ldaps://dc1.corp.example.test:636', bindDn: 'svc@corp.example.test', startTls: false };

function sysError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('directory LDAP errors', () => {
  it('names AD\'s bind sub-codes in plain words and keeps the cause', () => {
    for (const [sub, words] of [
      ['52e', /wrong user name or password/],
      ['775', /locked out/],
      ['532', /password has expired/],
      ['533', /disabled/],
      ['773', /must change its password/],
    ] as const) {
      const cause = new InvalidCredentialsError(`80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${sub}, v4563`);
      const err = classifyConnectError(cause, CTX);
      assert.ok(err instanceof DirectoryAuthError, sub);
      assert.equal(err.adCode, sub);
      assert.match(err.message, words);
      assert.match(err.message, /svc@corp\.example\.test/);
      assert.equal(err.cause, cause);
    }
    const samba = classifyConnectError(new InvalidCredentialsError(), CTX);
    assert.ok(samba instanceof DirectoryAuthError);
    assert.equal(samba.adCode, undefined);
    assert.match(samba.message, /wrong user name or password/);
  });

  it('explains an untrusted certificate and how to pass the CA file', () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED']) {
      const err = classifyConnectError(sysError(code, 'self-signed certificate in certificate chain'), CTX);
      assert.ok(err instanceof DirectoryConnectError, code);
      assert.equal(err.reason, 'tls-verify');
      assert.match(err.message, /directory\.caFile/);
      assert.match(err.message, /dc1\.corp\.example\.test:636/);
    }
    const withCa = classifyConnectError(sysError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), { ...CTX, caFile: '/etc/corp-ca.pem' });
    assert.match(withCa.message, /\/etc\/corp-ca\.pem did not verify it/);
  });

  it('explains a host name the certificate does not list', () => {
    const err = classifyConnectError(sysError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), CTX);
    assert.ok(err instanceof DirectoryConnectError);
    assert.equal(err.reason, 'tls-hostname');
    assert.match(err.message, /directory\.servername/);
  });

  it('tells unreachable, timed out, non-TLS port and TLS-required apart', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:636'), 'unreachable', /Cannot reach the DC/],
      [sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND dc1'), 'unreachable', /host name, the port/],
      [sysError('ECONNRESET', 'read ECONNRESET'), 'unreachable', /closed the connection .*389 is plain LDAP/],
      [new Error('Connection timeout'), 'timeout', /timed out/],
      [sysError('ETIMEDOUT'), 'timeout', /timed out/],
      [sysError('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), 'tls', /LDAPS is usually 636/],
      [new StrongAuthRequiredError('Strong(er) authentication required'), 'tls-required', /ldaps:\/\/ URL or turn on StartTLS/],
      [new ConfidentialityRequiredError(), 'tls-required', /encrypted connection/],
      [new Error('something odd'), 'other', /something odd/],
    ];
    for (const [cause, reason, text] of cases) {
      const err = classifyConnectError(cause, CTX);
      assert.ok(err instanceof DirectoryConnectError, reason);
      assert.equal(err.reason, reason);
      assert.match(err.message, text);
      assert.equal(err.cause, cause);
    }
  });
});

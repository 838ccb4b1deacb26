import assert from 'node:assert/strict';
import { checkConnectionUri, withProxyMethodRps } from '../../src/powershell/connection-uri.js';
import { ExchangeConfigError } from '../../src/powershell/errors.js';

describe('powershell/connection-uri withProxyMethodRps', () => {
  it('adds proxyMethod=RPS when there is no query', () => {
    assert.equal(withProxyMethodRps('https://outlook.office365.com/powershell-liveid/'), 'https://outlook.office365.com/powershell-liveid/?proxyMethod=RPS');
    assert.equal(withProxyMethodRps('https://ps.example.test/powershell-liveid'), 'https://ps.example.test/powershell-liveid?proxyMethod=RPS');
  });

  it('keeps other query parameters, in order, and appends proxyMethod=RPS', () => {
    assert.equal(
      withProxyMethodRps('https://outlook.office365.com/powershell-liveid/?DelegatedOrg=contoso.onmicrosoft.com&x=1'),
      'https://outlook.office365.com/powershell-liveid/?DelegatedOrg=contoso.onmicrosoft.com&x=1&proxyMethod=RPS',
    );
    assert.equal(withProxyMethodRps('https://h.test/p/?a=%20b&'), 'https://h.test/p/?a=%20b&proxyMethod=RPS');
    assert.equal(withProxyMethodRps('https://h.test/p/?'), 'https://h.test/p/?proxyMethod=RPS');
  });

  it('leaves an existing proxyMethod=RPS alone, whatever its case', () => {
    const already = 'https://h.test/powershell-liveid/?proxyMethod=RPS';
    assert.equal(withProxyMethodRps(already), already);
    assert.equal(withProxyMethodRps('https://h.test/p/?ProxyMethod=rps&a=1'), 'https://h.test/p/?ProxyMethod=rps&a=1');
    assert.equal(withProxyMethodRps(withProxyMethodRps('https://h.test/p/?a=1')), 'https://h.test/p/?a=1&proxyMethod=RPS');
  });

  it('replaces another proxyMethod value with RPS', () => {
    assert.equal(withProxyMethodRps('https://h.test/p/?proxyMethod=Other&a=1'), 'https://h.test/p/?proxyMethod=RPS&a=1');
  });

  it('keeps a fragment after the query', () => {
    assert.equal(withProxyMethodRps('https://h.test/p/?a=1#frag'), 'https://h.test/p/?a=1&proxyMethod=RPS#frag');
  });

  it('refuses what is not an http(s) URL', () => {
    assert.throws(() => withProxyMethodRps('not a url'), ExchangeConfigError);
    assert.throws(() => withProxyMethodRps('ftp://h.test/p'), ExchangeConfigError);
    assert.throws(() => checkConnectionUri('file:///etc/passwd'), ExchangeConfigError);
    assert.equal(checkConnectionUri('http://exch01.contoso.test/PowerShell/'), 'http://exch01.contoso.test/PowerShell/');
  });
});

import assert from 'node:assert/strict';
import { authorityHostName, authorityUrl, graphScope, NATIONAL_CLOUDS, resolveEndpoints } from '../../src/cloud/endpoints.js';
import { CloudConfigError } from '../../src/cloud/errors.js';
import { createTransport, readCaFile, transportOverDispatcher } from '../../src/cloud/tls.js';
import type { Dispatcher } from 'undici';

describe('cloud/endpoints', () => {
  it('knows the national clouds', () => {
    assert.deepEqual(resolveEndpoints(), { cloud: 'global', authorityHost: 'https://login.microsoftonline.com', graphBaseUrl: 'https://graph.microsoft.com' });
    assert.deepEqual(resolveEndpoints({ cloud: 'usgov' }), { cloud: 'usgov', authorityHost: 'https://login.microsoftonline.us', graphBaseUrl: 'https://graph.microsoft.us' });
    assert.deepEqual(resolveEndpoints({ cloud: 'dod' }), { cloud: 'dod', authorityHost: 'https://login.microsoftonline.us', graphBaseUrl: 'https://dod-graph.microsoft.us' });
    assert.deepEqual(resolveEndpoints({ cloud: 'china' }), {
      cloud: 'china',
      authorityHost: 'https://login.chinacloudapi.cn',
      graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn',
    });
    assert.deepEqual([...NATIONAL_CLOUDS], ['global', 'usgov', 'dod', 'china']);
  });

  it('applies overrides, normalises trailing slashes and marks the result custom', () => {
    const ep = resolveEndpoints({ authorityHost: 'https://127.0.0.1:8443/', graphBaseUrl: 'https://127.0.0.1:8443' });
    assert.deepEqual(ep, { cloud: 'custom', authorityHost: 'https://127.0.0.1:8443', graphBaseUrl: 'https://127.0.0.1:8443' });
    assert.equal(authorityUrl(ep, 'contoso.onmicrosoft.com'), 'https://127.0.0.1:8443/contoso.onmicrosoft.com');
    assert.equal(authorityHostName(ep), '127.0.0.1:8443');
    assert.equal(graphScope(ep), 'https://127.0.0.1:8443/.default');
    assert.equal(graphScope(resolveEndpoints({ cloud: 'usgov' })), 'https://graph.microsoft.us/.default');
    // An override equal to the cloud's own value is not "custom".
    assert.equal(resolveEndpoints({ cloud: 'usgov', graphBaseUrl: 'https://graph.microsoft.us/' }).cloud, 'usgov');
  });

  it('rejects http, paths, junk and odd tenant ids with CloudConfigError', () => {
    assert.throws(() => resolveEndpoints({ graphBaseUrl: 'http://graph.microsoft.com' }), CloudConfigError);
    assert.throws(() => resolveEndpoints({ graphBaseUrl: 'https://graph.microsoft.com/v1.0' }), /bare root/);
    assert.throws(() => resolveEndpoints({ authorityHost: 'not a url' }), /not a URL/);
    assert.throws(() => resolveEndpoints({ cloud: 'mars' as never }), /Unknown cloud/);
    assert.throws(() => authorityUrl(resolveEndpoints(), 'a/b'), CloudConfigError);
  });
});

describe('cloud/tls', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('reads an extra CA file and refuses files without a PEM certificate', async () => {
    assert.equal(await readCaFile('/ca.pem', async () => Buffer.from(pem)), pem);
    await assert.rejects(readCaFile('/ca.der', async () => Buffer.from([0x30, 0x82])), (e: unknown) => e instanceof CloudConfigError && /no PEM/.test(e.message));
    await assert.rejects(
      readCaFile('/missing', async () => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }),
      /Cannot read the extra CA file \/missing/,
    );
  });

  it('without a CA file, still bounds every call: a dispatcher with time limits and a request signal', async () => {
    const seen: (RequestInit | undefined)[] = [];
    const t = await createTransport({ baseFetch: async (_url, init) => (seen.push(init), new Response('ok')) });
    await t.fetch('https://x/', { method: 'GET' });
    assert.equal(seen[0]?.method, 'GET');
    assert.ok((seen[0] as { dispatcher?: unknown }).dispatcher, 'a dispatcher with connect/answer timeouts');
    assert.ok(seen[0]?.signal instanceof AbortSignal, 'a whole-request time bound');
    await t.close();
  });

  it('with a dispatcher, passes it on every call and closes it once', async () => {
    let closes = 0;
    const dispatcher = { close: async () => void closes++ } as unknown as Dispatcher;
    const seen: unknown[] = [];
    const t = transportOverDispatcher(dispatcher, async (_url, init) => (seen.push((init as { dispatcher?: unknown }).dispatcher), new Response('ok')));
    await t.fetch('https://a/');
    await t.fetch('https://b/', { method: 'POST' });
    assert.deepEqual(seen, [dispatcher, dispatcher]);
    await t.close();
    await t.close();
    assert.equal(closes, 1);
  });
});

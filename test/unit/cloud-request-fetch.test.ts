/**
 * The transport's fetch over undici's `request` (src/cloud/request-fetch.ts), against a real local HTTP server: a
 * standard Response at the headers, bodies both ways, no-body statuses, repeated headers, and an abort that rejects
 * with the signal's reason (what the run deadline and the per-request bound rely on).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { requestFetch } from '../../src/cloud/request-fetch.js';

async function body(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

describe('cloud/request-fetch', () => {
  let server: Server;
  let base: string;
  const agent = new Agent();

  before(async () => {
    server = createServer((req, res) => {
      void (async () => {
        if (req.url === '/echo') {
          const text = await body(req);
          res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
          res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'], auth: req.headers.authorization, text }));
        } else if (req.url === '/empty') {
          res.writeHead(204).end();
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('late'), 2_000).unref();
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing');
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and a string or byte body, and answers a standard Response', async () => {
    for (const sent of ['{"a":1}', new TextEncoder().encode('{"a":1}')]) {
      const res = await requestFetch(`${base}/echo`, {
        method: 'post',
        headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
        body: sent,
        dispatcher: agent,
      } as RequestInit);
      assert.ok(res instanceof Response);
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(res.headers.get('set-cookie'), 'a=1, b=2');
      assert.deepEqual(await res.json(), { method: 'POST', type: 'application/json', auth: 'Bearer t', text: '{"a":1}' });
    }
  });

  it('answers error statuses like fetch (no throw) and no-body statuses with an empty body', async () => {
    const missing = await requestFetch(`${base}/nope`, { dispatcher: agent } as RequestInit);
    assert.deepEqual([missing.status, await missing.text()], [404, 'no such thing']);
    const empty = await requestFetch(`${base}/empty`, { method: 'DELETE', dispatcher: agent } as RequestInit);
    assert.deepEqual([empty.status, (await empty.arrayBuffer()).byteLength], [204, 0]);
  });

  it('rejects with the abort reason when the signal fires', async () => {
    const reason = new Error('run deadline');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(reason), 50).unref();
    await assert.rejects(requestFetch(`${base}/slow`, { signal: ctl.signal, dispatcher: agent } as RequestInit), (err: unknown) => err === reason);
  });
});

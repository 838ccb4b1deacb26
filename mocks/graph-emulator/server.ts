/**
 * HTTP routing: /_emulator/* (control, loopback only), the Entra ID endpoints (/{tenant}/…, /common/…),
 * and Graph under /v1.0 and /beta (with /$batch). Turns node requests into GraphRequests and back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runBatch } from './batch.js';
import { controlRequest } from './control.js';
import { graphError } from './errors.js';
import { decodeSegments, lowerHeaders, type GraphRequest, type GraphResponse, type GraphVersion } from './http.js';
import { runGraphRequest, unauthorized, type PipelineDeps } from './pipeline.js';
import { instanceDiscovery, oauthError, openIdConfiguration, tokenRequest, type TokenEndpointDeps } from './token-endpoint.js';
import type { EmulatorControl } from './types.js';

/** Largest request body read (a full $batch of 4 MB photos in base64 fits). */
export const MAX_BODY_BYTES = 128 * 1024 * 1024;

export interface ServerDeps {
  baseUrl: string;
  pipeline: PipelineDeps;
  tokenEndpoint: TokenEndpointDeps;
  control: EmulatorControl;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer | string): void {
  const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, { ...headers, 'Content-Length': String(buf?.length ?? 0) });
  res.end(buf);
}

function sendGraph(res: ServerResponse, answer: GraphResponse): void {
  if (answer.binary) send(res, answer.status, answer.headers, answer.binary);
  else if (answer.json !== undefined) send(res, answer.status, answer.headers, JSON.stringify(answer.json));
  else send(res, answer.status, answer.headers);
}

export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof BodyTooLarge) {
        send(res, 413, { 'Content-Type': 'application/json', Connection: 'close' }, JSON.stringify(graphError(413, 'RequestEntityTooLarge', 'The request body is too large.').json));
        return;
      }
      send(res, 500, { 'Content-Type': 'application/json' }, JSON.stringify({ error: { code: 'generalException', message: (err as Error).message } }));
    });
  };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', deps.baseUrl);
  const method = (req.method ?? 'GET').toUpperCase();
  const pathname = url.pathname;

  if (pathname.startsWith('/_emulator/')) {
    if (!isLoopback(req.socket.remoteAddress)) {
      send(res, 403, { 'Content-Type': 'application/json' }, JSON.stringify({ error: 'control endpoints answer loopback peers only' }));
      return;
    }
    const body = await readBody(req);
    const answer = await controlRequest(deps.control, method, pathname.slice('/_emulator/'.length), body);
    send(res, answer.status, answer.headers, answer.body);
    return;
  }

  const version = /^\/(v1\.0|beta)(\/|$)/i.exec(pathname)?.[1]?.toLowerCase() as GraphVersion | undefined;
  if (version) {
    const body = await readBody(req);
    await handleGraph(deps, req, res, version, pathname, url.searchParams, body);
    return;
  }

  const segs = decodeSegments(pathname);
  if (method === 'GET' && segs[1] === 'discovery' && segs[2] === 'instance') {
    send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(instanceDiscovery(deps.tokenEndpoint)));
    return;
  }
  const tenant = segs[0] ?? '';
  const tenantOk = tenant.toLowerCase() === deps.tokenEndpoint.tenantId.toLowerCase();
  const rest = segs.slice(1).join('/');
  if (method === 'GET' && (rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration')) {
    const answer = tenantOk
      ? { status: 200, headers: { 'Content-Type': 'application/json' }, json: openIdConfiguration(deps.tokenEndpoint) }
      : oauthError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    send(res, answer.status, answer.headers, JSON.stringify(answer.json));
    return;
  }
  if (method === 'GET' && rest === 'discovery/v2.0/keys') {
    send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify({ keys: [] }));
    return;
  }
  if (method === 'POST' && rest === 'oauth2/v2.0/token') {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const answer = tokenRequest(deps.tokenEndpoint, tenant, form, req.headers.authorization);
    deps.pipeline.log.add({ method, path: pathname, status: answer.status, clientId: form.get('client_id') ?? undefined, batched: false });
    send(res, answer.status, answer.headers, JSON.stringify(answer.json));
    return;
  }
  send(res, 404, { 'Content-Type': 'application/json' }, JSON.stringify({ error: { code: 'NotFound', message: `No emulated endpoint at ${method} ${pathname}` } }));
}

async function handleGraph(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  version: GraphVersion,
  pathname: string,
  query: URLSearchParams,
  body: Buffer,
): Promise<void> {
  const p = deps.pipeline;
  const method = (req.method ?? 'GET').toUpperCase();
  const segments = decodeSegments(pathname).slice(1);
  const logPath = `/${version}/${pathname.split('/').slice(2).join('/')}`;
  if (p.faults.drawReset()) {
    p.log.add({ method, path: logPath, status: 0, batched: false });
    req.socket.destroy();
    return;
  }
  const graphReq: GraphRequest = { method, version, segments, logPath, query, headers: lowerHeaders(req.headers), body, batched: false };
  if (segments.length === 1 && segments[0] === '$batch') {
    let answer: GraphResponse;
    const auth = p.tokens.check(graphReq.headers['authorization']);
    if (method !== 'POST') answer = graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    else if (!auth.ok) answer = unauthorized(p, auth.message);
    else answer = await runBatch(graphReq, p);
    p.log.add({ method, path: logPath, status: answer.status, clientId: auth.ok ? auth.claims.appid : undefined, batched: false });
    sendGraph(res, answer);
    return;
  }
  sendGraph(res, await runGraphRequest(graphReq, p));
}

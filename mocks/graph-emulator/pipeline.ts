/**
 * What every Graph request and every $batch item goes through, in order: token check (401), routing
 * (400/405), roles (403), the app's in-flight slot (429), latency, injected 503/504, the handler. Logged.
 */
import { randomUUID } from 'node:crypto';
import { graphError } from './errors.js';
import { retryAfterHeader, type FaultController } from './faults.js';
import type { GraphRequest, GraphResponse } from './http.js';
import type { RequestLog } from './log.js';
import { allows } from './roles.js';
import { resolveRoute, type RouteContext } from './routes.js';
import type { TokenService } from './tokens.js';

export interface PipelineDeps {
  tokens: TokenService;
  faults: FaultController;
  log: RequestLog;
  routes: RouteContext;
  /** For the WWW-Authenticate challenge of 401 answers. */
  authority: string;
}

const DENIED_MESSAGE = {
  Authorization_RequestDenied: 'Insufficient privileges to complete the operation.',
  ErrorAccessDenied: 'Access is denied. Check credentials and try again.',
} as const;

export function unauthorized(deps: PipelineDeps, message: string): GraphResponse {
  return graphError(401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", authorization_uri="${deps.authority}/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
  });
}

/** Graph's answer when an app is over the 4-concurrent rule (Outlook-backed resources such as photos). */
export function throttled(deps: PipelineDeps): GraphResponse {
  return graphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
    'Retry-After': retryAfterHeader(deps.faults.get().retryAfterSeconds),
  });
}

/** Answer one Graph request (top-level or batch item) and log it. */
export async function runGraphRequest(req: GraphRequest, deps: PipelineDeps): Promise<GraphResponse> {
  let clientId: string | undefined;
  let heldMs: number | undefined;
  const res = await answer();
  withIds(res, req);
  deps.log.add({ method: req.method.toUpperCase(), path: req.logPath, status: res.status, clientId, batched: req.batched, ...(heldMs === undefined ? {} : { heldMs }) });
  return res;

  async function answer(): Promise<GraphResponse> {
    const auth = deps.tokens.check(req.headers['authorization']);
    if (!auth.ok) return unauthorized(deps, auth.message);
    clientId = auth.claims.appid;
    const route = resolveRoute(deps.routes, req);
    if (!('run' in route)) return route;
    if (!allows(auth.claims.roles, route.op)) return graphError(403, route.deniedCode, DENIED_MESSAGE[route.deniedCode]);
    const release = deps.faults.tryAcquire(clientId, mailboxOf(deps, req));
    if (!release) return throttled(deps);
    const heldFrom = performance.now();
    try {
      await deps.faults.latency();
      const outcome = deps.faults.drawError();
      if (outcome === 'unavailable') {
        return graphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Retry after the delay in Retry-After.', {
          'Retry-After': retryAfterHeader(deps.faults.get().retryAfterSeconds),
        });
      }
      if (outcome === 'timeout') return graphError(504, 'UnknownError', 'Gateway Timeout: the backend did not answer in time.');
      return await route.run();
    } catch (err) {
      return graphError(500, 'generalException', `Emulator failure: ${(err as Error).message}`);
    } finally {
      release();
      heldMs = performance.now() - heldFrom;
    }
  }
}

/** The mailbox (user object id) a request is about, for the `mailbox` concurrency scope; undefined for none. */
function mailboxOf(deps: PipelineDeps, req: GraphRequest): string | undefined {
  if (req.segments[0]?.toLowerCase() !== 'users' || req.segments.length < 2) return undefined;
  const who = req.segments[1] as string;
  return deps.routes.store.resolve(who)?.id ?? who.toLowerCase();
}

function withIds(res: GraphResponse, req: GraphRequest): void {
  const requestId = randomUUID();
  res.headers['request-id'] = requestId;
  res.headers['client-request-id'] = req.headers['client-request-id'] ?? requestId;
  res.headers['Cache-Control'] = 'no-cache';
}

/** A Graph stand-in with injected timing for the budget and batching tests (no network, no real time). */
import { createGraphHttp, type GraphHttp } from '../../src/cloud/http.js';
import type { Limiter } from '../../src/cloud/limiter.js';
import { createRetryPolicy, type RetryPolicy } from '../../src/cloud/retry.js';
import type { FetchLike } from '../../src/cloud/tls.js';

const G = 'https://graph.microsoft.com';
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * A Graph stand-in with injected timing: every request or batch item holds a service slot for `ticks` turns of the
 * event loop; slots are counted per app (`app`) or per app per user (`mailbox`), 4 each; over the limit → 429 with
 * Retry-After. A $batch runs at most 4 of its items at a time, like Graph. Records the peak of slots held.
 */
export function simulatedGraph(scope: 'app' | 'mailbox', ticks = 3) {
  const held = new Map<string, number>();
  const seen = { peak: 0, total: 0, throttled: 0, items: 0, plain: 0, batches: 0 };
  const mailbox = (url: string): string => (scope === 'app' ? 'app' : (/\/users\/([^/?]+)/.exec(url)?.[1] ?? 'none'));
  async function one(url: string): Promise<{ status: number; headers: Record<string, string> }> {
    const key = mailbox(url);
    if ((held.get(key) ?? 0) >= 4) {
      seen.throttled += 1;
      return { status: 429, headers: { 'Retry-After': '0.01' } };
    }
    held.set(key, (held.get(key) ?? 0) + 1);
    seen.total += 1;
    seen.peak = Math.max(seen.peak, seen.total);
    for (let i = 0; i < ticks; i++) await tick();
    held.set(key, (held.get(key) ?? 1) - 1);
    seen.total -= 1;
    return { status: 200, headers: {} };
  }
  const fetch: FetchLike = async (url, init) => {
    const u = String(url);
    if (u.endsWith('/$batch')) {
      const { requests } = JSON.parse(Buffer.from(init?.body as Uint8Array).toString()) as { requests: Array<{ id: string; url: string }> };
      // Like Graph (and the emulator): at most 4 items of the batch running at once, the next starting as one ends.
      const answers: unknown[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(4, requests.length) }, async () => {
          while (next < requests.length) {
            const r = requests[next++] as { id: string; url: string };
            answers.push({ id: r.id, ...(await one(r.url)) });
          }
        }),
      );
      seen.items += requests.length;
      seen.batches += 1;
      return new Response(JSON.stringify({ responses: answers }), { status: 200, headers: { 'content-type': 'application/json' } });
    }
    seen.plain += 1;
    const a = await one(u);
    return new Response(a.status === 200 ? '{}' : '{"error":{"code":"ApplicationThrottled"}}', { status: a.status, headers: a.headers });
  };
  return { fetch, seen };
}

export function connection(fetch: FetchLike, limiter: Limiter, sleep: (ms: number) => Promise<void> = async () => tick()): { http: GraphHttp; retry: RetryPolicy } {
  const retry = createRetryPolicy({ sleep, random: () => 0.5, maxTries: 8, onWait: (ms) => limiter.waited(ms) });
  return { http: createGraphHttp({ graphBaseUrl: G, tokens: { getToken: async () => 'tok' }, fetch, limiter, retry }), retry };
}

export const meta = (i: number) => ({ key: `u${i}`, method: 'GET' as const, url: `/users/u${i}/photo` });

/**
 * The serial baseline: what the 30-line scripts admins write do, run as its own process. One token (client
 * credentials), then for each user in turn: GET /users/{upn}/photo/$value, and PUT the on-prem photo where the plan
 * writes. One request at a time, one kept-alive connection, no batching, no state.
 *
 *   node <transpiled serial-script.mjs> JOB.json   → one JSON line on stdout (SerialOutcome)
 */
import { readFile } from 'node:fs/promises';
import { Agent, fetch } from 'undici';

export interface SerialJob {
  graphBaseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  caFile: string;
  users: Array<{ upn: string; put?: string }>;
}

export interface SerialOutcome {
  wallMs: number;
  /** Time spent in the GETs alone: what the same script costs on a run with nothing to write. */
  getMs: number;
  putMs: number;
  gets: number;
  puts: number;
  statuses: Record<string, number>;
}

/**
 * One request; when the kept-alive connection was closed under it (a server may close a long-lived connection; over a
 * 10,000-user run the emulator's did, after about a minute), once more on a new one, as any HTTP client would.
 */
async function send(url: string, init: Parameters<typeof fetch>[1]): Promise<Awaited<ReturnType<typeof fetch>>> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return fetch(url, init);
  }
}

async function main(jobPath: string): Promise<void> {
  const t0 = performance.now();
  const job = JSON.parse(await readFile(jobPath, 'utf8')) as SerialJob;
  const dispatcher = new Agent({ connect: { ca: await readFile(job.caFile, 'utf8') }, connections: 1 });
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: job.clientId, client_secret: job.clientSecret, scope: 'https://graph.microsoft.com/.default' });
  const tokenRes = await fetch(job.tokenUrl, { method: 'POST', body: form, dispatcher });
  const token = ((await tokenRes.json()) as { access_token?: string }).access_token;
  if (!token) throw new Error(`no token (HTTP ${tokenRes.status})`);
  const auth = { authorization: `Bearer ${token}` };
  const out: SerialOutcome = { wallMs: 0, getMs: 0, putMs: 0, gets: 0, puts: 0, statuses: {} };
  const count = (s: number): void => void (out.statuses[s] = (out.statuses[s] ?? 0) + 1);
  const photos = new Map<string, Buffer>();
  for (const u of job.users) {
    const url = `${job.graphBaseUrl}/v1.0/users/${encodeURIComponent(u.upn)}/photo/$value`;
    let t = performance.now();
    const got = await send(url, { headers: auth, dispatcher });
    await got.arrayBuffer();
    out.getMs += performance.now() - t;
    out.gets += 1;
    count(got.status);
    if (!u.put) continue;
    let body = photos.get(u.put);
    if (!body) photos.set(u.put, (body = await readFile(u.put)));
    t = performance.now();
    const put = await send(url, { method: 'PUT', headers: { ...auth, 'content-type': 'image/jpeg' }, body, dispatcher });
    await put.arrayBuffer();
    out.putMs += performance.now() - t;
    out.puts += 1;
    count(put.status);
  }
  out.wallMs = performance.now() - t0;
  await dispatcher.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[2]) await main(process.argv[2]);

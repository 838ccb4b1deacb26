/**
 * The Exchange route of PhotoWriter: Set-UserPhoto / Remove-UserPhoto through ps-scripts/ in a PowerShellRunner.
 * - onprem: New-PSSession to http(s)://SERVER/PowerShell (Kerberos/Negotiate) + Import-PSSession; route exchange-onprem.
 * - legacy: remote PowerShell with `?proxyMethod=RPS` always on the ConnectionUri (KB 3062745); route exchange-legacy.
 * - exo: Connect-ExchangeOnline V3 (app-only). Set-UserPhoto was retired there on 30 Nov 2023, so every item fails
 *   with CmdletRetired advice pointing at the Graph route; the mode exists to say so plainly. Route exchange-legacy.
 * One session serves the whole run: the connect script runs once per shell and is repeated only when the shell was
 * replaced (timeout, crash) or the session broke, and then at most once per batch. Photos and identities reach the
 * scripts only through job files. A writer should have its runner to itself (the session lives in the shell).
 */
import type { Route } from '../model.js';
import type { PhotoDeleteItem, PhotoSetItem, PhotoWriter, WriteResult } from '../sync/apply/writer.js';
import { classifyConnectError, classifyExchangeError, type ExchangeAdvice, type ExchangeMode, type RawExchangeError } from './advice.js';
import { checkConnectionUri, withProxyMethodRps } from './connection-uri.js';
import { ExchangeConfigError, PowerShellError, PowerShellNotFoundError, PowerShellTimeoutError } from './errors.js';
import { withJobWorkspace, type JobWorkspace } from './jobs.js';
import type { PowerShellRunner } from './runner.js';
import { findScriptsDir, SCRIPT_NAMES } from './scripts.js';
import path from 'node:path';
import { readFile } from 'node:fs/promises';

export { withProxyMethodRps } from './connection-uri.js';

export type ExchangeAuthentication = 'Kerberos' | 'Negotiate' | 'Basic' | 'Default';

export interface ExchangeWriterOptions {
  runner: PowerShellRunner;
  mode: ExchangeMode;
  /** onprem: http(s)://SERVER/PowerShell/; legacy: the remote PowerShell URI (proxyMethod=RPS is added). */
  connectionUri?: string;
  /** exo: the tenant's initial domain, e.g. contoso.onmicrosoft.com. */
  organization?: string;
  appId?: string;
  certificateThumbprint?: string;
  /** New-PSSession -Authentication. Default: Kerberos (onprem), Basic (legacy). */
  authentication?: ExchangeAuthentication;
  /** Names of the environment variables holding user name and password for Basic (default HPS_EXCHANGE_USER / HPS_EXCHANGE_PASSWORD). */
  credentialEnv?: { user: string; password: string };
  /** Tests: a module that stands in for Exchange (mocks/exchange-stub/ExchangeStub.psm1). */
  stubModulePath?: string;
  /** Tests: the stub's store folder. */
  stubStorePath?: string;
  /** Users per script call. Default 25. */
  batchSize?: number;
  /** Per script call. Default: the runner's. */
  timeoutMs?: number;
  /** Default: the package's ps-scripts folder. */
  scriptsDir?: string;
}

export interface PhotoReadItem {
  key: string;
  identity: string;
}

export interface PhotoReadResult extends WriteResult {
  /** Whether the mailbox has a photo (false with ok=true when Exchange has none). */
  exists?: boolean;
  bytes?: Buffer;
}

export interface ExchangeWriter extends PhotoWriter {
  readonly mode: ExchangeMode;
  /** The ConnectionUri actually used (legacy: with proxyMethod=RPS). */
  readonly connectionUri: string | undefined;
  /** Reads photos back through Get-UserPhoto (for checks and tests). */
  getPhotos(items: readonly PhotoReadItem[]): Promise<PhotoReadResult[]>;
  /** Opens the Exchange session now (for `hps doctor`): undefined when it opened, else what failed and the advice. */
  checkConnection(): Promise<{ message: string; advice: string } | undefined>;
}

interface ScriptItem extends RawExchangeError {
  identity?: string;
  ok?: boolean;
  size?: number;
}

interface ScriptDocument extends RawExchangeError {
  hpsResult: number;
  ok: boolean;
  items?: ScriptItem[];
}

interface ConnectFailure {
  advice: ExchangeAdvice;
  message: string;
}

type Operation = 'set' | 'remove' | 'get';

const ROUTE_BY_MODE: Record<ExchangeMode, Route> = { onprem: 'exchange-onprem', legacy: 'exchange-legacy', exo: 'exchange-legacy' };

function required(value: string | undefined, what: string, mode: ExchangeMode): string {
  if (value === undefined || value.trim() === '') throw new ExchangeConfigError(`Exchange ${mode} mode needs ${what}`);
  return value;
}

function failure(key: string, advice: ExchangeAdvice, message: string | undefined): WriteResult {
  const result: WriteResult = { key, ok: false, errorId: advice.errorId, advice: advice.advice, retryable: advice.retryable };
  if (message) result.message = message;
  if (advice.status !== undefined) result.status = advice.status;
  return result;
}

export function createExchangeWriter(opts: ExchangeWriterOptions): ExchangeWriter {
  const { runner, mode } = opts;
  let connectionUri: string | undefined;
  if (mode === 'onprem') connectionUri = checkConnectionUri(required(opts.connectionUri, 'a connectionUri (http(s)://SERVER/PowerShell/)', mode));
  else if (mode === 'legacy') connectionUri = withProxyMethodRps(required(opts.connectionUri, 'a connectionUri', mode));
  else if (mode === 'exo') {
    required(opts.organization, 'an organization', mode);
    required(opts.appId, 'an appId', mode);
    required(opts.certificateThumbprint, 'a certificateThumbprint', mode);
  } else throw new ExchangeConfigError(`Unknown Exchange mode: ${String(mode)}`);

  const batchSize = Math.max(1, opts.batchSize ?? 25);
  const scriptsDir = opts.scriptsDir ?? findScriptsDir();
  const script = (name: keyof typeof SCRIPT_NAMES): string => path.join(scriptsDir, SCRIPT_NAMES[name]);
  const callOptions = opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
  /** The runner generation whose shell holds our session; undefined when not connected. */
  let connectedGeneration: number | undefined;
  let closed = false;

  function connectJob(): Record<string, unknown> {
    const job: Record<string, unknown> = { mode };
    if (mode === 'exo') {
      Object.assign(job, { organization: opts.organization, appId: opts.appId, certificateThumbprint: opts.certificateThumbprint });
    } else {
      const authentication = opts.authentication ?? (mode === 'legacy' ? 'Basic' : 'Kerberos');
      Object.assign(job, { connectionUri, authentication });
      if (authentication === 'Basic' || opts.credentialEnv) {
        job.credentialUserEnv = opts.credentialEnv?.user ?? 'HPS_EXCHANGE_USER';
        job.credentialPasswordEnv = opts.credentialEnv?.password ?? 'HPS_EXCHANGE_PASSWORD';
      }
    }
    if (opts.stubModulePath) job.stubModule = opts.stubModulePath;
    if (opts.stubStorePath) job.stubStore = opts.stubStorePath;
    return job;
  }

  /** Connects unless this shell already holds our session. Returns a failure instead of throwing, except when there is no PowerShell at all. */
  async function ensureConnected(): Promise<ConnectFailure | undefined> {
    if (connectedGeneration !== undefined && connectedGeneration === runner.generation) return undefined;
    connectedGeneration = undefined;
    try {
      const doc = await withJobWorkspace(async (ws) => runner.runScript<ScriptDocument>(script('connect'), await ws.writeJob(connectJob()), callOptions), runner.jobRoot);
      if (!doc.ok) return { advice: classifyConnectError(doc, mode, connectionUri), message: doc.message ?? 'connect failed' };
      connectedGeneration = runner.generation;
      return undefined;
    } catch (err) {
      if (err instanceof PowerShellNotFoundError) throw err;
      const advice = err instanceof PowerShellTimeoutError ? classifyExchangeError({ errorId: 'Timeout' }, mode) : classifyConnectError({ message: (err as Error).message }, mode, connectionUri);
      return { advice, message: (err as Error).message };
    }
  }

  /** Runs one batch with at most one reconnect, for a broken session or a shell that lost it. */
  async function runBatch(
    operation: Operation,
    batch: readonly PhotoReadItem[],
    prepare: (ws: JobWorkspace, item: PhotoReadItem, index: number) => Promise<Record<string, unknown>>,
    onItem: (item: PhotoReadItem, raw: ScriptItem, ws: JobWorkspace, index: number) => Promise<WriteResult>,
  ): Promise<WriteResult[]> {
    const results: (WriteResult | undefined)[] = batch.map(() => undefined);
    let pending = batch.map((_, i) => i);
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
      const connectFailure = await ensureConnected();
      if (connectFailure) {
        for (const i of pending) results[i] = failure(batch[i]!.key, connectFailure.advice, connectFailure.message);
        break;
      }
      const retry: number[] = [];
      await withJobWorkspace(async (ws) => {
        const jobItems = [];
        for (const i of pending) jobItems.push(await prepare(ws, batch[i]!, i));
        const scriptName = operation === 'set' ? 'setPhotos' : operation === 'remove' ? 'removePhotos' : 'getPhoto';
        let doc: ScriptDocument;
        try {
          doc = await runner.runScript<ScriptDocument>(script(scriptName), await ws.writeJob({ items: jobItems }), callOptions);
        } catch (err) {
          if (err instanceof PowerShellNotFoundError) throw err;
          connectedGeneration = undefined;
          const advice = err instanceof PowerShellTimeoutError ? classifyExchangeError({ errorId: 'Timeout' }, mode) : { errorId: 'ScriptFailed', advice: 'The PowerShell bridge failed; see the message.', retryable: true };
          for (const i of pending) results[i] = failure(batch[i]!.key, advice, (err as Error).message);
          return;
        }
        if (!doc.ok) {
          const advice = doc.errorId === 'NotConnected' ? classifyExchangeError({ errorId: 'SessionBroken' }, mode) : classifyExchangeError(doc, mode);
          if (advice.errorId === 'SessionBroken') {
            connectedGeneration = undefined;
            retry.push(...pending);
          }
          for (const i of pending) results[i] = failure(batch[i]!.key, advice, doc.message ?? undefined);
          return;
        }
        const items = doc.items ?? [];
        for (const [n, i] of pending.entries()) {
          const item = batch[i]!;
          const raw = items[n];
          if (!raw || raw.identity !== item.identity) {
            results[i] = { key: item.key, ok: false, errorId: 'ProtocolError', message: 'The script returned no result for this user', retryable: true };
            continue;
          }
          const result = await onItem(item, raw, ws, n);
          results[i] = result;
          if (!result.ok && result.errorId === 'SessionBroken') {
            connectedGeneration = undefined;
            retry.push(i);
          }
        }
      }, runner.jobRoot);
      pending = retry;
    }
    return results.map((r, i) => r ?? { key: batch[i]!.key, ok: false, errorId: 'ProtocolError', retryable: true });
  }

  function classifyItem(item: PhotoReadItem, raw: ScriptItem): WriteResult {
    if (raw.ok) return { key: item.key, ok: true };
    return failure(item.key, classifyExchangeError(raw, mode), raw.message ?? undefined);
  }

  async function inBatches<T extends PhotoReadItem>(items: readonly T[], run: (batch: readonly T[]) => Promise<WriteResult[]>): Promise<WriteResult[]> {
    if (closed) throw new PowerShellError('Exchange writer is closed');
    const out: WriteResult[] = [];
    for (let start = 0; start < items.length; start += batchSize) out.push(...(await run(items.slice(start, start + batchSize))));
    return out;
  }

  return {
    route: ROUTE_BY_MODE[mode],
    mode,
    connectionUri,

    setPhotos(items: readonly PhotoSetItem[]) {
      return inBatches(items, (batch) =>
        runBatch(
          'set',
          batch,
          async (ws, item, i) => ({ identity: item.identity, photoPath: await ws.writeFile(batch[i]!.jpeg, '.jpg') }),
          async (item, raw) => classifyItem(item, raw),
        ),
      );
    },

    deletePhotos(items: readonly PhotoDeleteItem[]) {
      return inBatches(items, (batch) =>
        runBatch(
          'remove',
          batch,
          async (_ws, item) => ({ identity: item.identity }),
          async (item, raw) => {
            const result = classifyItem(item, raw);
            // No photo to remove is what was wanted.
            return result.errorId === 'PhotoNotFound' ? { key: item.key, ok: true } : result;
          },
        ),
      );
    },

    async getPhotos(items: readonly PhotoReadItem[]) {
      const outPaths = new Map<string, string>();
      return (await inBatches(items, (batch) =>
        runBatch(
          'get',
          batch,
          async (ws, item) => {
            const outPath = ws.reservePath('.jpg');
            outPaths.set(item.key, outPath);
            return { identity: item.identity, outPath };
          },
          async (item, raw) => {
            const result: PhotoReadResult = classifyItem(item, raw);
            if (result.ok) {
              result.exists = true;
              result.bytes = await readFile(outPaths.get(item.key)!);
            } else if (result.errorId === 'PhotoNotFound') {
              return { key: item.key, ok: true, exists: false };
            }
            return result;
          },
        ),
      )) as PhotoReadResult[];
    },

    async checkConnection() {
      const failed = await ensureConnected();
      return failed ? { message: failed.message, advice: failed.advice.advice } : undefined;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (connectedGeneration === undefined || connectedGeneration !== runner.generation) return;
      connectedGeneration = undefined;
      try {
        await withJobWorkspace(async (ws) => runner.runScript(script('disconnect'), await ws.writeJob({}), { timeoutMs: Math.min(opts.timeoutMs ?? 15_000, 15_000) }), runner.jobRoot);
      } catch {
        // Best effort: the runner's owner disposes the shell, which ends the session anyway.
      }
    },
  };
}

/**
 * Microsoft Graph emulator: a standalone HTTPS server on 127.0.0.1 that answers the Entra ID token
 * endpoint (as MSAL Node calls it) and the Graph users / profile photo / $batch / photoUpdateSettings APIs
 * the way Microsoft documents them. Production code talks to it with only the authority and the Graph
 * base URL changed. See README.md for the state file format, behaviour and control endpoints.
 */
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createControl } from './control.js';
import { StateError } from './errors.js';
import { FaultController } from './faults.js';
import { RequestLog } from './log.js';
import { createRequestHandler } from './server.js';
import { buildStore, loadState } from './state.js';
import { ensureServerCerts } from './tls.js';
import { TokenService } from './tokens.js';
import type { EmulatorClient, RunningEmulator, StartEmulatorOptions } from './types.js';

export type {
  EmulatorClient,
  EmulatorControl,
  EmulatorState,
  EmulatorUser,
  FaultConfig,
  RequestLogEntry,
  RunningEmulator,
  StartEmulatorOptions,
} from './types.js';
export { createClientCertificate, type ClientCertificate } from './tls.js';
export { EmulatorError, StateError, TlsSetupError } from './errors.js';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmulator(opts: StartEmulatorOptions): Promise<RunningEmulator> {
  const loaded = await loadState(opts.state);
  const store = await buildStore(loaded);
  const { tenantId } = loaded.state;
  const clients = new Map<string, EmulatorClient>();
  for (const c of loaded.state.clients) {
    if (clients.has(c.clientId.toLowerCase())) throw new StateError(`invalid emulator state: duplicate clientId ${c.clientId}`);
    clients.set(c.clientId.toLowerCase(), c);
  }
  const certs = await ensureServerCerts(opts.certDir);
  const faults = new FaultController(opts.faults ?? {});
  const log = new RequestLog();

  const server = createServer({ cert: certs.cert, key: certs.key });
  const ready: { handler?: ReturnType<typeof createRequestHandler> } = {};
  server.on('request', (req, res) => {
    if (ready.handler) ready.handler(req, res);
    else res.writeHead(503).end();
  });
  const port = await listen(server, opts.port ?? 0);
  const baseUrl = `https://127.0.0.1:${port}`;
  const authority = `${baseUrl}/${tenantId}`;
  const tokens = new TokenService({
    tenantId,
    extraAudiences: [baseUrl, `https://localhost:${port}`],
    lifetimeSeconds: () => faults.get().tokenLifetimeSeconds,
  });
  const control = createControl(store, faults, log, tokens);
  ready.handler = createRequestHandler({
    baseUrl,
    control,
    pipeline: { tokens, faults, log, routes: { store, baseUrl }, authority },
    tokenEndpoint: { tenantId, baseUrl, clients, tokens },
  });

  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    graphBaseUrl: baseUrl,
    authority,
    authorityHost: `127.0.0.1:${port}`,
    tenantId,
    caCertPath: certs.caCertPath,
    control,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(async () => {
        if (certs.tempDir) await rm(certs.tempDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

#!/usr/bin/env node
/**
 * CLI: node dist/mocks/graph-emulator/main.js --state FILE [--port N] [--cert-dir D] [--max-in-flight N]
 * [--concurrency-scope app|mailbox]
 * [--latency-ms N] [--error-rate X] [--retry-after S] [--reset-rate X] [--seed N]
 * Prints one JSON line {baseUrl, authority, authorityHost, tenantId, caCertPath} and runs until SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { startEmulator, type FaultConfig } from './index.js';

function num(min: number, max = Number.POSITIVE_INFINITY, integer = false) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected a ${integer ? 'whole ' : ''}number between ${min} and ${max}`);
    }
    return n;
  };
}

interface CliOptions {
  state: string;
  port?: number;
  certDir?: string;
  maxInFlight?: number;
  concurrencyScope?: 'app' | 'mailbox';
  latencyMs?: number;
  errorRate?: number;
  resetRate?: number;
  retryAfter?: number;
  seed?: number;
  tokenLifetime?: number;
}

async function main(argv: string[]): Promise<void> {
  const opts = new Command('graph-emulator')
    .description('Microsoft Graph + Entra ID token endpoint emulator on https://127.0.0.1')
    .requiredOption('--state <file>', 'JSON state file (see mocks/graph-emulator/README.md)')
    .option('--port <n>', 'port to listen on (0 = any free port)', num(0, 65535, true))
    .option('--cert-dir <dir>', 'directory for the CA and server certificate (reused when valid)')
    .option('--max-in-flight <n>', 'concurrent requests per app before 429', num(1, Number.POSITIVE_INFINITY, true))
    .addOption(
      new Option('--concurrency-scope <scope>', 'what --max-in-flight counts: per app, or per app per mailbox (user)').choices(['app', 'mailbox']).default('app'),
    )
    .option('--latency-ms <n>', 'latency added to every Graph request', num(0))
    .option('--error-rate <x>', 'share of Graph requests answered 503/504 (0..1)', num(0, 1))
    .option('--reset-rate <x>', 'share of Graph requests whose socket is destroyed (0..1)', num(0, 1))
    .option('--retry-after <s>', 'Retry-After seconds for 429/503 (fractional allowed)', num(0))
    .option('--seed <n>', 'PRNG seed for injected faults', num(0, Number.POSITIVE_INFINITY, true))
    .option('--token-lifetime <s>', 'access token lifetime in seconds', num(1, Number.POSITIVE_INFINITY, true))
    .parse(argv)
    .opts<CliOptions>();

  const faults: FaultConfig = {
    maxInFlightPerApp: opts.maxInFlight,
    concurrencyScope: opts.concurrencyScope,
    latencyMs: opts.latencyMs,
    errorRate: opts.errorRate,
    resetRate: opts.resetRate,
    retryAfterSeconds: opts.retryAfter,
    seed: opts.seed,
    tokenLifetimeSeconds: opts.tokenLifetime,
  };
  const emulator = await startEmulator({ state: opts.state, port: opts.port ?? 0, certDir: opts.certDir, faults });
  const { baseUrl, authority, authorityHost, tenantId, caCertPath } = emulator;
  process.stdout.write(`${JSON.stringify({ baseUrl, authority, authorityHost, tenantId, caCertPath })}\n`);

  const stop = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`graph-emulator: ${(err as Error).message}\n`);
  process.exit(1);
});

/**
 * Command-line options of `npm run bench`. Pure: argv in, options (or a usage error) out.
 */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  users: number;
  quick: boolean;
  /** Distinct pictures in the pool. */
  pool: number;
  /** Result JSON; default bench/results/bench-<users>u.json. */
  out?: string;
  workDir?: string;
  keep: boolean;
  /** Emulator latency per Graph request and batch item, ms (0: measure the tool, not the network). */
  latencyMs: number;
  cpuProf: boolean;
  /** --max-old-space-size for every CLI run (MB). */
  maxOldSpaceMb?: number;
  /** Unmet goals fail the run too (hard checks always do). */
  strict: boolean;
  /** Emulator concurrency scopes to run the reconcile scenarios under (the first one also runs the reports). */
  scopes: Array<'app' | 'mailbox'>;
  /** cloud.maxInFlight written into the bench config (the budget's ceiling). */
  maxInFlight: number;
  /** Run the serial baseline script (default: with emulated latency only). */
  serial: boolean;
  /** Run the report scenarios (report, report-quarter: the memory scaling). */
  report: boolean;
  help: boolean;
}

export const DEFAULT_USERS = 10_000;
export const QUICK_USERS = 2_000;
export const DEFAULT_POOL = 200;
export const DEFAULT_BENCH_MAX_IN_FLIGHT = 16;

export const USAGE = `usage: npm run bench -- [options]

  --users N        on-prem users in the synthetic tenant (default ${DEFAULT_USERS}; ${QUICK_USERS} with --quick)
  --quick          a ~1 minute run (${QUICK_USERS} users unless --users is given)
  --pool N         distinct pictures shared by the users (default ${DEFAULT_POOL})
  --out FILE       result JSON (default bench/results/bench-<users>u.json)
  --work-dir DIR   where to write the tenants, configs and state (default: a new temp folder)
  --keep           keep the work folder
  --latency-ms N   emulator latency per Graph request and batch item (default 0)
  --scopes LIST    emulator concurrency scopes for the reconcile runs: app, mailbox or app,mailbox (default app,mailbox)
  --max-in-flight N  cloud.maxInFlight of the tool under test (default ${DEFAULT_BENCH_MAX_IN_FLIGHT}, the tool's default)
  --serial         run the serial baseline script even at latency 0 (it runs by default with latency)
  --skip-serial    do not run the serial baseline
  --skip-report    do not run the report scenarios (report, report-quarter)
  --max-old-space-mb N  run every CLI process with node --max-old-space-size=N (a bounded-heap check)
  --cpu-prof       write a V8 CPU profile of every CLI run into the work folder (implies --keep)
  --strict         fail when a goal is not met (correctness checks always fail the run)
  -h, --help       this text
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInt(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        users: { type: 'string' },
        quick: { type: 'boolean', default: false },
        pool: { type: 'string' },
        out: { type: 'string' },
        'work-dir': { type: 'string' },
        keep: { type: 'boolean', default: false },
        'latency-ms': { type: 'string' },
        'cpu-prof': { type: 'boolean', default: false },
        'max-old-space-mb': { type: 'string' },
        strict: { type: 'boolean', default: false },
        scopes: { type: 'string' },
        'max-in-flight': { type: 'string' },
        serial: { type: 'boolean', default: false },
        'skip-serial': { type: 'boolean', default: false },
        'skip-report': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  const v = parsed.values;
  const quick = v.quick ?? false;
  const cpuProf = v['cpu-prof'] ?? false;
  const maxOldSpaceMb = positiveInt('max-old-space-mb', v['max-old-space-mb'], 16);
  const scopes = (v.scopes ?? 'app,mailbox').split(',').map((x) => x.trim());
  if (scopes.length === 0 || scopes.some((x) => x !== 'app' && x !== 'mailbox') || new Set(scopes).size !== scopes.length) {
    throw new UsageError(`--scopes must list app and/or mailbox, got ${JSON.stringify(v.scopes)}`);
  }
  const latencyMs = positiveInt('latency-ms', v['latency-ms'], 0) ?? 0;
  return {
    users: positiveInt('users', v.users, 4) ?? (quick ? QUICK_USERS : DEFAULT_USERS),
    quick,
    pool: positiveInt('pool', v.pool, 2) ?? DEFAULT_POOL,
    ...(v.out ? { out: v.out } : {}),
    ...(v['work-dir'] ? { workDir: v['work-dir'] } : {}),
    keep: (v.keep ?? false) || cpuProf,
    latencyMs,
    scopes: scopes as Array<'app' | 'mailbox'>,
    maxInFlight: positiveInt('max-in-flight', v['max-in-flight'], 1) ?? DEFAULT_BENCH_MAX_IN_FLIGHT,
    serial: !(v['skip-serial'] ?? false) && ((v.serial ?? false) || latencyMs > 0),
    report: !(v['skip-report'] ?? false),
    cpuProf,
    ...(maxOldSpaceMb !== undefined ? { maxOldSpaceMb } : {}),
    strict: v.strict ?? false,
    help: v.help ?? false,
  };
}

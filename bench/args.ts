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
  help: boolean;
}

export const DEFAULT_USERS = 10_000;
export const QUICK_USERS = 2_000;
export const DEFAULT_POOL = 200;

export const USAGE = `usage: npm run bench -- [options]

  --users N        on-prem users in the synthetic tenant (default ${DEFAULT_USERS}; ${QUICK_USERS} with --quick)
  --quick          a ~1 minute run (${QUICK_USERS} users unless --users is given)
  --pool N         distinct pictures shared by the users (default ${DEFAULT_POOL})
  --out FILE       result JSON (default bench/results/bench-<users>u.json)
  --work-dir DIR   where to write the tenants, configs and state (default: a new temp folder)
  --keep           keep the work folder
  --latency-ms N   emulator latency per Graph request and batch item (default 0)
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
  return {
    users: positiveInt('users', v.users, 4) ?? (quick ? QUICK_USERS : DEFAULT_USERS),
    quick,
    pool: positiveInt('pool', v.pool, 2) ?? DEFAULT_POOL,
    ...(v.out ? { out: v.out } : {}),
    ...(v['work-dir'] ? { workDir: v['work-dir'] } : {}),
    keep: (v.keep ?? false) || cpuProf,
    latencyMs: positiveInt('latency-ms', v['latency-ms'], 0) ?? 0,
    cpuProf,
    ...(maxOldSpaceMb !== undefined ? { maxOldSpaceMb } : {}),
    strict: v.strict ?? false,
    help: v.help ?? false,
  };
}

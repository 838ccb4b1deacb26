/** What the CLI prints as JSON, typed by the types that print it, and the small helpers tests share. */
import type { ReportColumn } from '../../src/report/model.js';
import type { RunSummary } from '../../src/report/run-summary.js';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';
import type { CliRun } from './cli.js';

/** `hps reconcile|fix --output json`. */
export type RunJson = RunSummary;

/** `hps report --format json` (docs/report-format.md). */
export interface ReportJson {
  generatedAt: string;
  summary: Record<string, number>;
  notes: string[];
  users: Array<{ [K in ReportColumn]: ClassifiedUser[K] }>;
}

/** The JSON a command printed on stdout; says what it printed on stderr when there is none. */
export function parseJson<T>(r: CliRun): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}); stderr:\n${r.stderr}`);
  }
}

/** Everything an async iterable yields, in order. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

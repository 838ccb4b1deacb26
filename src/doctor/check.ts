/**
 * What `hps doctor` produces: one row per check, in order, with a result, what it found and what to do.
 * Plain data; the checks fill it, src/doctor/render.ts formats it, the exit code follows from it.
 */
import { EXIT } from '../cli/exit-codes.js';

export const CHECK_RESULTS = ['ok', 'warn', 'fail', 'skip'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

/** The checks, in the order they run; each has a section in docs/troubleshooting.md (`#doctor-<id>`). */
export const CHECK_IDS = [
  'config',
  'directory-reachable',
  'directory-tls',
  'directory-bind',
  'directory-base-dn',
  'directory-photos',
  'directory-page-size',
  'directory-recipient-type',
  'photo-folder',
  'cloud-sign-in',
  'cloud-roles',
  'cloud-photo-policy',
  'cloud-graph',
  'exchange-pwsh',
  'exchange-session',
  'state-folder',
  'state-lock',
  'state-schema',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface Check {
  id: CheckId;
  /** What was checked, for the table's first column. */
  title: string;
  result: CheckResult;
  /** What the check found (never a secret). */
  detail: string;
  /** What to do; empty when nothing. */
  advice: string;
  /** Exit code this check's failure stands for (EXIT.badConfig or EXIT.connectFailed). */
  failCode?: number;
}

export interface DoctorReport {
  generatedAt: string;
  configFile: string;
  checks: Check[];
  summary: Record<CheckResult, number>;
  exitCode: number;
}

export const DOC_LINK = 'docs/troubleshooting.md';

export function docAnchor(id: CheckId): string {
  return `${DOC_LINK}#doctor-${id}`;
}

export function ok(id: CheckId, title: string, detail: string, advice = ''): Check {
  return { id, title, result: 'ok', detail, advice };
}
export function warn(id: CheckId, title: string, detail: string, advice: string): Check {
  return { id, title, result: 'warn', detail, advice };
}
export function fail(id: CheckId, title: string, detail: string, advice: string, failCode: number = EXIT.connectFailed): Check {
  return { id, title, result: 'fail', detail, advice, failCode };
}
export function skip(id: CheckId, title: string, detail: string): Check {
  return { id, title, result: 'skip', detail, advice: '' };
}

/**
 * 0 when every check passed (or was skipped as not configured), 1 with warnings only, else the code of the first
 * failed check: 2 for configuration (config file, state folder, schema), 4 for connection, sign-in or permission.
 */
export function doctorExitCode(checks: readonly Check[]): number {
  const failed = checks.find((c) => c.result === 'fail');
  if (failed) return failed.failCode ?? EXIT.connectFailed;
  return checks.some((c) => c.result === 'warn') ? EXIT.partialFailure : EXIT.ok;
}

export function summarise(checks: readonly Check[]): Record<CheckResult, number> {
  const s: Record<CheckResult, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) s[c.result] += 1;
  return s;
}

/** The error's message plus its advice, for a check's detail and advice columns. */
export function explain(err: unknown): { detail: string; advice: string } {
  const e = err as { message?: unknown; advice?: unknown };
  const detail = typeof e?.message === 'string' ? e.message : String(err);
  return { detail, advice: typeof e?.advice === 'string' ? e.advice : '' };
}

/** Building doctor check rows (the types are in src/report/doctor.ts). */
import { kindOf, type ErrorKind } from '../../errors.js';
import { CHECK_TITLES, type Check, type CheckId } from '../../report/doctor.js';

export type { Check, CheckId } from '../../report/doctor.js';

export function ok(id: CheckId, detail: string, advice = ''): Check {
  return { id, title: CHECK_TITLES[id], result: 'ok', detail, advice };
}
export function warn(id: CheckId, detail: string, advice: string): Check {
  return { id, title: CHECK_TITLES[id], result: 'warn', detail, advice };
}
export function fail(id: CheckId, detail: string, advice: string, failKind: ErrorKind = 'connect'): Check {
  return { id, title: CHECK_TITLES[id], result: 'fail', detail, advice, failKind };
}
export function skip(id: CheckId, detail: string): Check {
  return { id, title: CHECK_TITLES[id], result: 'skip', detail, advice: '' };
}

/** The error's message and its advice, for a check's detail and advice columns. */
export function explain(err: unknown): { detail: string; advice: string } {
  const e = err as { message?: unknown; advice?: unknown };
  const detail = typeof e?.message === 'string' ? e.message : String(err);
  return { detail, advice: typeof e?.advice === 'string' ? e.advice : '' };
}

/** What a failure caused by `err` means for the exit code: its own kind when config or auth, else connect. */
export function failKindOf(err: unknown): ErrorKind {
  const k = kindOf(err);
  return k === 'config' || k === 'auth' ? k : 'connect';
}

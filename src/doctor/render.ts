/** `hps doctor` output: an aligned table for people, JSON for scripts. */
import { docAnchor, type DoctorReport } from './check.js';

const LABEL = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** Control characters (terminal escapes, NUL) never reach the terminal from a message. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '').replace(/\s+/g, ' ').trim();
}

export function renderDoctorTable(r: DoctorReport): string {
  const width = Math.max(5, ...r.checks.map((c) => c.title.length));
  const pad = ' '.repeat(width + 2 + 6);
  const out = [`${'CHECK'.padEnd(width)}  RESULT  FOUND / WHAT TO DO`];
  for (const c of r.checks) {
    out.push(`${c.title.padEnd(width)}  ${LABEL[c.result].padEnd(6)}  ${clean(c.detail)}`);
    if (c.advice) out.push(`${pad}  → ${clean(c.advice)} (${docAnchor(c.id)})`);
  }
  const s = r.summary;
  const verdict = r.exitCode === 0 ? 'ready' : s.fail > 0 ? 'not ready' : 'ready, with warnings';
  out.push('', `${s.ok} ok, ${s.warn} warnings, ${s.fail} failed, ${s.skip} skipped: ${verdict} (exit ${r.exitCode})`);
  return `${out.join('\n')}\n`;
}

export function renderDoctorJson(r: DoctorReport): string {
  const checks = r.checks.map((c) => ({ id: c.id, title: c.title, result: c.result, detail: c.detail, advice: c.advice, doc: docAnchor(c.id) }));
  return `${JSON.stringify({ generatedAt: r.generatedAt, configFile: r.configFile, exitCode: r.exitCode, summary: r.summary, checks }, null, 2)}\n`;
}

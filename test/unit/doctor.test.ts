import assert from 'node:assert/strict';
import { exitCodeOf } from '../../src/cli/exit-policy.js';
import { CHECK_IDS, CHECK_TITLES, renderDoctorJson, renderDoctorTable, type Check, type DoctorReport } from '../../src/report/doctor.js';
import { fail, ok, skip, warn } from '../../src/usecases/doctor/checks.js';
import { has, tokenRoles } from '../../src/usecases/doctor/roles.js';

const jwt = (claims: unknown): string => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

function report(checks: Check[]): DoctorReport {
  return { generatedAt: '2026-01-01T00:00:00.000Z', configFile: 'c.json', checks };
}
const doctorExitCode = (checks: Check[]): number => exitCodeOf({ kind: 'doctor', checks });

describe('doctor: roles, exit code, rendering', () => {
  it('reads the roles claim of an app-only token, and nothing from a token that is not a JWT', () => {
    assert.deepEqual(tokenRoles(jwt({ roles: ['User.Read.All', 7, 'ProfilePhoto.ReadWrite.All'] })), ['User.Read.All', 'ProfilePhoto.ReadWrite.All']);
    assert.deepEqual(tokenRoles(jwt({ aud: 'x' })), []);
    assert.equal(tokenRoles('opaque-token'), undefined);
    assert.equal(tokenRoles('a.!!!not-base64-json.c'), undefined);
  });

  it('matches roles case-insensitively against the least and higher privileged permissions', () => {
    assert.ok(has(['user.read.all'], 'users.read'));
    assert.ok(has(['User.ReadWrite.All'], 'photo.write'));
    assert.ok(!has(['User.Read.All'], 'photo.write'));
    assert.ok(!has(['Directory.Read.All'], 'photo.read'), 'Directory.Read.All does not cover photos');
  });

  it('exit 0 all ok or skipped, 1 warnings only, else the code of the first failure', () => {
    assert.equal(doctorExitCode([ok('config', ''), skip('exchange-pwsh', '')]), 0);
    assert.equal(doctorExitCode([ok('config', ''), warn('state-lock', '', 'x')]), 1);
    assert.equal(doctorExitCode([warn('state-lock', '', 'x'), fail('directory-base-dn', '', 'x', 'config'), fail('cloud-sign-in', '', 'x')]), 2);
    assert.equal(doctorExitCode([fail('cloud-sign-in', '', 'x', 'auth')]), 4);
    assert.equal(doctorExitCode([fail('cloud-graph', '', 'x')]), 4);
  });

  it('every check id is unique and has a title', () => {
    assert.equal(new Set(CHECK_IDS).size, CHECK_IDS.length);
    assert.deepEqual(Object.keys(CHECK_TITLES).sort(), [...CHECK_IDS].sort());
  });

  it('the table shows control characters as escapes and links each advice to its section', () => {
    const checks = [ok('config', 'fine'), fail('directory-bind', 'refused \u001b[31mred\u0000', 'check \u0007it')];
    const text = renderDoctorTable(report(checks), doctorExitCode(checks));
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u001b\u007f]/.test(text));
    assert.match(text, /bind +FAIL +refused \\x1b\[31mred\\x00/);
    assert.match(text, /check \\x07it/);
    assert.match(text, /→ check \\x07it \(docs\/troubleshooting\.md#doctor-directory-bind\)/);
    assert.match(text, /1 ok, 0 warnings, 1 failed, 0 skipped: not ready \(exit 4\)/);
  });

  it('JSON carries id, result, detail, advice and the doc link for each check', () => {
    const j = JSON.parse(renderDoctorJson(report([warn('state-lock', 'held', 'wait')]), 1)) as { exitCode: number; checks: Array<Record<string, string>> };
    assert.equal(j.exitCode, 1);
    assert.deepEqual(j.checks[0], { id: 'state-lock', title: 'run lock free', result: 'warn', detail: 'held', advice: 'wait', doc: 'docs/troubleshooting.md#doctor-state-lock' });
  });
});

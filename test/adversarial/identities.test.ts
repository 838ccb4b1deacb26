/**
 * Adversarial: hostile identities in the directory (terminal escapes, NUL, C1 CSI, bidi overrides, quotes, `$(…)`,
 * LDAP filter metacharacters). Through the real CLI (LDIF directory, Graph emulator): every text output shows them
 * escaped, JSON keeps their value, and each hostile user is handled like any other (the run goes on).
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { runHps } from '../support/cli.js';
import { buildLdifWorld, type LdifWorld } from './support/ldif-world.js';
import { renderReport, type Report } from '../../src/report/index.js';
import { lineSafe, terminalSafe } from '../../src/report/safe-text.js';

/** Anything a terminal would act on: C0 but \t \n, DEL, C1, bidi/zero-width controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

export const HOSTILE_UPNS = [
  'clear\u001b[2J\u001b]0;pwned\u0007@adv.example.test',
  'nul\u0000byte@adv.example.test',
  'csi\u009b31m@adv.example.test',
  'bidi\u202eexe.jpg@adv.example.test',
  `quote"'\`@adv.example.test`,
  'sub$(rm -rf ~)@adv.example.test',
  'filter*)(objectClass=*)\\00@adv.example.test',
  'newline\r\nINJECTED: yes@adv.example.test',
];

describe('adversarial: hostile identities', function () {
  this.timeout(60_000);
  let world: LdifWorld;
  const photo = (hue: string): Promise<Buffer> => sharp({ create: { width: 200, height: 200, channels: 3, background: hue } }).jpeg().toBuffer();

  before(async () => {
    const users = await Promise.all(
      HOSTILE_UPNS.map(async (upn, i) => ({ sam: `hostile${i}`, upn, thumbnailPhoto: await photo(i % 2 ? '#336699' : '#993366'), cloud: {} })),
    );
    world = await buildLdifWorld(users);
  });
  after(() => world?.close());

  it('sanitisers: escapes are made visible, plain text is unchanged', () => {
    assert.equal(terminalSafe('a\u001b[2Jb\n\tc'), 'a\\x1b[2Jb\n\tc');
    assert.equal(lineSafe('x\u0000y\u009bz\u202ew\nv'), 'x\\x00y\\x9bz\\u202ew\\x0av');
    assert.equal(terminalSafe('José Müller <jm@x> $(id) "q"'), 'José Müller <jm@x> $(id) "q"');
  });

  for (const format of ['table', 'csv', 'json'] as const) {
    it(`report --format ${format}: no raw control character reaches stdout or stderr, every user listed`, async () => {
      const r = await runHps(['report', '--format', format, '--config', world.configPath], { env: world.env });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(format === 'csv' ? r.stdout.replaceAll('\r\n', '\n') : r.stdout, RAW_CONTROL);
      assert.doesNotMatch(r.stderr, RAW_CONTROL);
      assert.match(r.stdout, format === 'json' ? /clear\\u001b\[2J/ : /clear\\x1b\[2J/);
      if (format === 'json') {
        const users = (JSON.parse(r.stdout) as { users: Array<{ upn: string }> }).users;
        assert.deepEqual(users.map((u) => u.upn).sort(), [...HOSTILE_UPNS].sort(), 'JSON keeps the exact values');
      } else {
        assert.equal(r.stdout.trimEnd().split('\n').filter((l) => l.includes('missing-in-cloud') && !/^\d+ users:/.test(l)).length, HOSTILE_UPNS.length, 'one line per user');
        assert.doesNotMatch(r.stdout, /^INJECTED: yes/m, 'a CR/LF in a value cannot start a line of its own');
      }
    });
  }

  it('reconcile (text): every hostile user is written once, output escaped', async () => {
    const r = await runHps(['reconcile', '--config', world.configPath], { env: world.env });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    assert.doesNotMatch(r.stderr, RAW_CONTROL);
    const writes = Object.values(world.emu.control.writeCounts()).reduce((a, b) => a + b, 0);
    assert.equal(writes, HOSTILE_UPNS.length);
  });

  it('fix (text) for a hostile user names it escaped', async () => {
    const r = await runHps(['fix', 'hostile0', '--config', world.configPath], { env: world.env });
    assert.ok(r.code === 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
    assert.match(r.stdout, /clear\\x1b\[2J\\x1b\]0;pwned\\x07/);
  });

  it('fix with filter metacharacters or a wildcard as the user matches no one (exit 2), writes nothing', async () => {
    const before = Object.values(world.emu.control.writeCounts()).reduce((a, b) => a + b, 0);
    for (const id of ['*', '*)(objectClass=*', 'hostile*', '$(id)']) {
      const r = await runHps(['fix', id, '--config', world.configPath], { env: world.env });
      assert.equal(r.code, 2, `${id}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, RAW_CONTROL);
    }
    assert.equal(Object.values(world.emu.control.writeCounts()).reduce((a, b) => a + b, 0), before);
  });

  it('the table renderer alone keeps its columns aligned with escaped cells', () => {
    const report = {
      generatedAt: '',
      notes: ['note\u001b[31m'],
      summary: { total: 1 } as Report['summary'],
      users: [{ upn: 'a\u001b[2J@x', dn: 'CN=a', objectGuid: 'g', status: 'in-sync', reason: 'r\u0000', distance: null, route: 'graph' }],
    } as unknown as Report;
    const text = renderReport(report, 'table');
    assert.doesNotMatch(text, RAW_CONTROL);
    assert.match(text, /note: note\\x1b\[31m/);
  });
});

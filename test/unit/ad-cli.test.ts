import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adImportOptions, byteSize } from '../../src/cli/commands/ad-import.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { addRunCounts, adRunCounts, exitCodeOf } from '../../src/cli/exit-policy.js';
import { runHps } from '../support/cli.js';

describe('hps ad: options and exit codes', () => {
  it('reads --max-bytes as bytes or KB (1024), and refuses more than AD holds', () => {
    assert.equal(byteSize.parse('102400'), 102_400);
    assert.equal(byteSize.parse('100KB'), 102_400);
    assert.equal(byteSize.parse('10 kb'), 10_240);
    assert.equal(byteSize.parse('10KiB'), 10_240);
    assert.throws(() => byteSize.parse('101KB'), /at most 102400 bytes/);
    assert.throws(() => byteSize.parse('1MB'), /is not a size/);
    assert.throws(() => byteSize.parse('2KB'), /at least 4KB/);
    assert.equal(adImportOptions.parse({}).maxBytes, undefined, 'absent: the config decides');
  });

  it('an AD run exits like reconcile: refused 3, failures 1, else 0; two steps combine', () => {
    const ok = adRunCounts({ summary: { set: 2, delete: 0, errors: 0 }, written: { failed: 0 } });
    assert.equal(exitCodeOf({ kind: 'run', run: ok }), EXIT.ok);
    const failed = adRunCounts({ summary: { set: 2, delete: 0, errors: 0 }, written: { failed: 1 } });
    assert.equal(exitCodeOf({ kind: 'run', run: failed }), EXIT.partialFailure);
    const unreadable = adRunCounts({ summary: { set: 0, delete: 0, errors: 1 } });
    assert.equal(exitCodeOf({ kind: 'run', run: unreadable }), EXIT.partialFailure);
    const refused = adRunCounts({ refused: 'too many', summary: { set: 9, delete: 0, errors: 0 } });
    assert.equal(exitCodeOf({ kind: 'run', run: addRunCounts(ok, refused) }), EXIT.refused);
    assert.equal(exitCodeOf({ kind: 'run', run: addRunCounts(ok, failed) }), EXIT.partialFailure);
  });

  it('bad options are usage errors (exit 2) before anything connects', async () => {
    const r = await runHps(['ad', 'import', '--max-bytes', '200KB', '--config', '/nonexistent/hps.json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /maxBytes: AD's thumbnailPhoto holds at most 102400 bytes/);
    const dir = await mkdtemp(join(tmpdir(), 'hps-ad-cli-'));
    try {
      const config = join(dir, 'hps.json');
      // A DC that is not there: a pattern error must come first, not a connection error (exit 4).
      await writeFile(config, JSON.stringify({
        directory: { type: 'ldap', url: 'ldaps://127.0.0.1:1', bindDn: 'x@y', baseDn: 'DC=y' }, cloud: { tenantId: 't', clientId: 'c' },
        state: { path: join(dir, 'state.db') },
      }));
      const p = await runHps(['ad', 'import', '--folder', dir, '--pattern', '{firstName}.jpg', '--config', config], { env: { HPS_LDAP_PASSWORD: 'x' } });
      assert.equal(p.code, 2, p.stderr);
      assert.match(p.stderr, /unknown token \{firstName\}/);
      const c = await runHps(['ad', 'import', '--folder', dir, '--pattern', '{givenName}.jpg', '--config', config], { env: { HPS_LDAP_PASSWORD: 'x' } });
      assert.equal(c.code, 4, 'a good pattern gets as far as the (missing) DC');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

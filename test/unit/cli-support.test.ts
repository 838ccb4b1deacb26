import assert from 'node:assert/strict';
import { selectorsFor } from '../../src/sync/read/identify.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { CliError, describeError } from '../../src/cli/errors.js';
import { exitCodeOf } from '../../src/cli/exit-policy.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { withResources } from '../../src/cli/resources.js';
import { checkOutputFile, writeFileAtomic } from '../../src/cli/output.js';
import { logLevelFrom } from '../../src/cli/io.js';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

describe('cli support', () => {
  it('reads a user identifier as GUID, immutableId, UPN/mail or sAMAccountName', () => {
    assert.deepEqual(selectorsFor('8c4ac332-975f-4717-ad7b-ba4a4e968fff'), [{ by: 'objectGuid', value: '8c4ac332-975f-4717-ad7b-ba4a4e968fff' }]);
    assert.deepEqual(selectorsFor('MsNKjF+XF0etexS6TpaP/w=='), [{ by: 'objectGuid', value: 'MsNKjF+XF0etexS6TpaP/w==' }]);
    assert.deepEqual(selectorsFor(' ada@corp.example.com '), [
      { by: 'userPrincipalName', value: 'ada@corp.example.com' },
      { by: 'mail', value: 'ada@corp.example.com' },
    ]);
    assert.deepEqual(selectorsFor('CORP\\ada'), [{ by: 'sAMAccountName', value: 'ada' }]);
    assert.deepEqual(selectorsFor('   '), []);
  });

  it('describes an error with its causes, once each', () => {
    const inner = new Error('ECONNREFUSED 127.0.0.1:636');
    const err = new Error('cannot reach the DC', { cause: new Error('connect failed', { cause: inner }) });
    assert.equal(describeError(err), 'cannot reach the DC\n  caused by: connect failed\n  caused by: ECONNREFUSED 127.0.0.1:636');
  });

  it("lists a bad config field by field, without the validator's raw issue dump", () => {
    let err: unknown;
    try {
      parseConfig({ directory: { type: 'ldif' }, cloud: {}, note: 1 }, 'hps.json', '/tmp');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError);
    const text = describeError(err);
    assert.match(text, /^hps\.json is not valid:\n/);
    assert.match(text, /Unrecognized key: "note"/);
    assert.match(text, /directory\.file/);
    assert.doesNotMatch(text, /caused by|"code":/);
  });

  it('ends with the advice an error in the chain carries', () => {
    const auth = Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), { advice: 'Check the client secret in HPS_CLIENT_SECRET.' });
    assert.equal(describeError(new Error('sign-in failed', { cause: auth })), 'sign-in failed\n  caused by: AADSTS7000215: Invalid client secret provided.\n  what to do: Check the client secret in HPS_CLIENT_SECRET.');
  });

  it('closes what was opened, in reverse order, also when the work throws', async () => {
    const closed: string[] = [];
    await assert.rejects(
      withResources(async (use) => {
        use({ close: () => void closed.push('a') });
        use({ close: async () => void closed.push('b') });
        throw new Error('work failed');
      }),
      /work failed/,
    );
    assert.deepEqual(closed, ['b', 'a']);
  });

  it('checks an --out file before the work: missing folder, a folder given as the file; exit 2 naming the path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hps-out-'));
    try {
      await checkOutputFile(path.join(dir, 'report.csv'));
      for (const [target, why] of [
        [path.join(dir, 'nope', 'report.csv'), /the folder .*nope does not exist/],
        [dir, /it is a folder; give a file name/],
      ] as const) {
        await assert.rejects(checkOutputFile(target), (err: unknown) => {
          assert.ok(err instanceof CliError);
          assert.equal(exitCodeOf({ kind: 'error', error: err }), EXIT.badConfig);
          assert.match(err.message, new RegExp(`^cannot write the output file ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
          assert.match(err.message, why);
          return true;
        });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes output atomically and leaves no temp file when the write fails', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hps-out-'));
    try {
      await writeFileAtomic(path.join(dir, 'a.txt'), 'one');
      assert.equal(await readFile(path.join(dir, 'a.txt'), 'utf8'), 'one');
      await mkdir(path.join(dir, 'b'));
      await assert.rejects(writeFileAtomic(path.join(dir, 'b'), 'two'), /cannot write the output file .*b: E/);
      assert.deepEqual((await readdir(dir)).sort(), ['a.txt', 'b']);
      await writeFileAtomic(path.join(dir, 'c.txt'), ['x', 'y', 'z']);
      assert.equal(await readFile(path.join(dir, 'c.txt'), 'utf8'), 'xyz', 'chunks, in order');
      const broken = (function* () {
        yield 'half a report';
        throw new Error('renderer failed');
      })();
      await assert.rejects(writeFileAtomic(path.join(dir, 'a.txt'), broken), /renderer failed/);
      assert.equal(await readFile(path.join(dir, 'a.txt'), 'utf8'), 'one', 'a failure midway leaves the old file as it was');
      assert.deepEqual((await readdir(dir)).sort(), ['a.txt', 'b', 'c.txt'], 'and no temp file behind');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads HPS_LOG_LEVEL forgivingly: empty is info, warning is warn, unknown is info with a notice', () => {
    const notices: string[] = [];
    const note = (t: string): void => void notices.push(t);
    assert.deepEqual([undefined, '', ' DEBUG ', 'warning', 'silent'].map((v) => logLevelFrom(v, note)), ['info', 'info', 'debug', 'warn', 'silent']);
    assert.deepEqual(notices, []);
    assert.equal(logLevelFrom('bogus', note), 'info');
    assert.match(notices[0] ?? '', /HPS_LOG_LEVEL="bogus" is not a log level \(trace, debug, info, warn, error, fatal, silent\); using info/);
  });
});

import assert from 'node:assert/strict';
import { CommanderError } from 'commander';
import { CliError } from '../../src/cli/errors.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { exitCodeOf, type RunCounts } from '../../src/cli/exit-policy.js';
import { CloudAuthError, CloudConfigError, GraphRequestError } from '../../src/cloud/errors.js';
import { ConfigError } from '../../src/config/load.js';
import { DirectoryAuthError, DirectoryConnectError, DirectorySearchError, FilterSyntaxError, LdifSyntaxError } from '../../src/directory/errors.js';
import { adviceOf, HpsError, kindOf, stopsTheRun } from '../../src/errors.js';
import { PhotoDecodeError } from '../../src/photo/errors.js';
import { ExchangeConfigError, PowerShellNotFoundError, PowerShellTimeoutError } from '../../src/powershell/errors.js';
import { LockHeldError, StateOpenError, StateSchemaTooNewError } from '../../src/state/errors.js';
import { UserNotFoundError } from '../../src/sync/read/scope.js';

const code = (error: unknown): number => exitCodeOf({ kind: 'error', error });
const RUN: RunCounts = { refused: false, blocked: 0, writes: 3, failed: 0, errors: 0 };
const run = (p: Partial<RunCounts>): number => exitCodeOf({ kind: 'run', run: { ...RUN, ...p } });

describe('errors and the exit-code policy', () => {
  it('every error family extends the one base, named after its class, with its cause', () => {
    const cause = new Error('inner');
    for (const err of [
      new CloudConfigError('x', { cause }), new DirectorySearchError('x', { cause }), new StateOpenError('/s.db', 'x', { cause }),
      new PowerShellTimeoutError('Set-Photos.ps1', 5, { cause }), new PhotoDecodeError('corrupt', 'x', { cause }), new ConfigError('x', { cause }),
      new UserNotFoundError('x', { cause }), new CliError('x', { cause }),
    ]) {
      assert.ok(err instanceof HpsError, err.name);
      assert.equal(err.name, err.constructor.name);
      assert.equal(err.cause, cause, err.name);
    }
  });

  it('maps each kind to the documented exit code', () => {
    assert.equal(code(new ConfigError('bad')), EXIT.badConfig);
    assert.equal(code(new CliError('refused', { kind: 'refused' })), EXIT.refused);
    assert.equal(code(new DirectoryAuthError('no')), EXIT.connectFailed);
    assert.equal(code(new DirectoryConnectError('unreachable', 'no')), EXIT.connectFailed);
    assert.equal(code(new CloudAuthError('no')), EXIT.connectFailed);
    assert.equal(code(new LockHeldError('/x.lock', undefined)), EXIT.locked);
    assert.equal(code(new UserNotFoundError('nobody')), EXIT.badConfig);
    assert.equal(code(new GraphRequestError('no', { errorId: 'Forbidden', retryable: false })), EXIT.connectFailed);
    assert.equal(code(new DirectorySearchError('no')), EXIT.badConfig);
    assert.equal(code(new FilterSyntaxError('bad', 3)), EXIT.badConfig);
    assert.equal(code(new LdifSyntaxError('bad', 3)), EXIT.badConfig);
    assert.equal(code(new StateOpenError('/s.db', 'no')), EXIT.badConfig);
    assert.equal(code(new StateSchemaTooNewError('/s.db', 9, 2)), EXIT.badConfig);
    assert.equal(code(new ExchangeConfigError('no')), EXIT.badConfig);
    assert.equal(code(new PowerShellNotFoundError('no')), EXIT.connectFailed);
    assert.equal(code(new PowerShellTimeoutError('s', 1)), EXIT.internal);
    assert.equal(code(new TypeError('bug')), EXIT.internal);
    // A plain Error that merely carries a family's name is not that family: no class-name lists.
    assert.equal(code(Object.assign(new Error('x'), { name: 'LockHeldError' })), EXIT.internal);
    assert.equal(code(new CommanderError(1, 'commander.unknownOption', 'unknown option')), EXIT.badConfig);
    assert.equal(code(new CommanderError(0, 'commander.helpDisplayed', '')), EXIT.ok);
  });

  it('lets configuration and sign-in errors stop a run; connection and script errors fail one route', () => {
    assert.deepEqual(
      [new ExchangeConfigError('x'), new CloudConfigError('x'), new CloudAuthError('x'), new PowerShellNotFoundError('x'), new GraphRequestError('x', { errorId: 'E', retryable: true }), new Error('x')].map(stopsTheRun),
      [true, true, true, false, false, false],
    );
    assert.equal(kindOf('a string'), 'internal');
  });

  it('directory and state errors carry advice where the admin can act', () => {
    assert.match(adviceOf(new LockHeldError('/x.lock', undefined)) ?? '', /wait for that run/);
    assert.match(adviceOf(new StateOpenError('/s.db', 'corrupt')) ?? '', /state\.path/);
    assert.match(adviceOf(new LdifSyntaxError('bad', 1)) ?? '', /ldifde/);
    assert.equal(adviceOf(new CloudConfigError('x', { advice: '  ' })), undefined);
  });

  it('turns a run outcome into its exit code', () => {
    assert.equal(run({}), EXIT.ok);
    assert.equal(run({ refused: true, failed: 2 }), EXIT.refused);
    assert.equal(run({ blocked: 2, writes: 0, failed: 1 }), EXIT.refused, 'blocked and nothing else to write');
    assert.equal(run({ blocked: 2, writes: 1 }), EXIT.ok);
    assert.equal(run({ failed: 1 }), EXIT.partialFailure);
    assert.equal(run({ errors: 1 }), EXIT.partialFailure);
    assert.equal(run({ verified: false }), EXIT.partialFailure);
    assert.equal(run({ verified: true }), EXIT.ok);
    assert.equal(exitCodeOf({ kind: 'compare', same: false }), EXIT.partialFailure);
    assert.equal(exitCodeOf({ kind: 'done' }), EXIT.ok);
  });
});

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isCliProcess } from '../../src/cli/memory-tuning.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

describe('CLI memory tuning (V8 heap settings of the hps process only)', () => {
  it('knows the CLI entry from any other script', () => {
    assert.equal(isCliProcess(MAIN), true);
    assert.equal(isCliProcess(fileURLToPath(new URL('../../src/cli/program.ts', import.meta.url))), false);
    assert.equal(isCliProcess(undefined), false);
    assert.equal(isCliProcess('/no/such/file.js'), false);
  });

  it('caps the young generation of the CLI process at 4 MB semi-spaces; a process that only imports it is left alone', () => {
    // This mocha process imported memory-tuning.ts above: it is not the CLI, so nothing was changed here.
    assert.equal(isCliProcess(), false);
    // Prints the new space's size (two semi-spaces) as the CLI process exits.
    const probe = `data:text/javascript,import v8 from 'node:v8'; process.on('exit', () => process.stderr.write('new-space ' + v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size + '\\n'));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', probe, MAIN, '--version'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\d+\.\d+\.\d+/);
    const bytes = Number(/new-space (\d+)/.exec(run.stderr)?.[1]);
    assert.ok(bytes > 0 && bytes <= 8 * 2 ** 20, `new space ${bytes} bytes`);
  });
});

import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

/** Lints one line of source as if it were the file at `filePath`; returns the no-restricted-imports messages. */
async function arrowErrors(eslint: ESLint, filePath: string, line: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${line}\nexport const x = 1;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import arrows (eslint no-restricted-imports, docs/architecture.md)', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: process.cwd() });

  const BAD: Array<[string, string, RegExp]> = [
    ['src/sync/decide/plan.ts', "import type { StateStore } from '../../state/store.js';", /decide stage .* may not import state/],
    ['src/sync/decide/plan.ts', "import { readFile } from 'node:fs/promises';", /does no I\/O/],
    ['src/sync/decide/plan.ts', "import { applyPlan } from '../apply/apply.js';", /may not import apply/],
    ['src/sync/read/scope.ts', "import type { StateStore } from '../../state/store.js';", /read stage may not import state/],
    ['src/sync/read/scope.ts', "import { applyPlan } from '../apply/apply.js';", /read stage may not import apply/],
    ['src/sync/apply/apply.ts', "import { observe } from '../read/observe.js';", /apply stage may not import read/],
    ['src/sync/apply/apply.ts', "import type { GraphReader } from '../../cloud/graph-reader.js';", /apply stage may not import cloud/],
    ['src/report/run-summary.ts', "import type { SyncResult } from '../usecases/sync.js';", /renderers may not import usecases/],
    ['src/usecases/sync.ts', "import { EXIT } from '../cli/exit-codes.js';", /use cases may not import cli/],
    ['src/cloud/graph-writer.ts', "import { applyPlan } from '../sync/apply/apply.js';", /adapter may not import apply/],
    ['src/state/store.ts', "import type { Decision } from '../sync/decide/plan.js';", /adapter may not import decide/],
    ['src/model.ts', "import type { Config } from './config/schema.js';", /vocabulary may not import config/],
  ];
  for (const [file, line, why] of BAD) {
    it(`fails: ${file} ← ${line.replace(/.* from /, '')}`, async () => {
      const errors = await arrowErrors(eslint, file, line);
      assert.ok(errors.some((m) => why.test(m)), `expected ${why} in ${JSON.stringify(errors)}`);
    });
  }

  const GOOD: Array<[string, string]> = [
    ['src/sync/read/observe.ts', "import { matchUser } from '../decide/match.js';"],
    ['src/sync/apply/record.ts', "import type { StateStore } from '../../state/store.js';"],
    ['src/report/run-summary.ts', "import type { Decision } from '../sync/decide/plan.js';"],
    ['src/cloud/graph-writer.ts', "import type { PhotoWriter } from '../sync/apply/writer.js';"],
    ['src/usecases/sync.ts', "import { observeScope } from '../sync/read/scope.js';"],
    ['src/cli/commands/reconcile.ts', "import { runSync } from '../../usecases/sync.js';"],
  ];
  for (const [file, line] of GOOD) {
    it(`allows: ${file} ← ${line.replace(/.* from /, '')}`, async () => {
      assert.deepEqual(await arrowErrors(eslint, file, line), []);
    });
  }
});

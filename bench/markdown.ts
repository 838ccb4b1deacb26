/**
 * Prints a result file's tables as Markdown, for docs/benchmarks.md:
 *   node --import tsx bench/markdown.ts bench/results/bench-10000u.json
 */
import { readFile } from 'node:fs/promises';
import { renderMarkdown } from './render.js';
import type { BenchResult } from './result.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node --import tsx bench/markdown.ts RESULT.json\n');
  process.exitCode = 2;
} else {
  const result = JSON.parse(await readFile(file, 'utf8')) as BenchResult;
  const m = result.machine;
  process.stdout.write(
    `Command: \`${result.command}\` — ${result.date}, commit ${m.gitCommit?.slice(0, 7) ?? '?'}${m.gitDirtyFiles ? ` (+${m.gitDirtyFiles} uncommitted paths)` : ''}; ` +
      `${m.nproc} cores (${m.cpuModel}), ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB, node ${m.node}, ${m.platform} ${m.kernel}; total ${(result.totalMs / 1000).toFixed(0)} s.\n\n`,
  );
  process.stdout.write(renderMarkdown(result));
}

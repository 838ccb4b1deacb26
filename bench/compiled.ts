/**
 * The bench times what users run: the compiled CLI (`dist/src/cli/main.js`, what `npx hps` starts), not the
 * TypeScript sources through tsx (which adds ~1.5 s of transform and 40 MB to every process). Before the scenarios
 * it builds dist/ when any source is newer, and turns the two child-side helpers (the memory probe and the serial
 * script) into plain JavaScript beside node_modules, so every benchmarked process is plain `node`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** Where the child-side helpers go: inside the repo so `undici` resolves from node_modules. */
const OUT_DIR = join('node_modules', '.cache', 'hps-bench');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function mtimeOr0(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Runs `npm run build` when dist/ is missing or older than any file under src/ or mocks/. Returns whether it built. */
export function ensureBuilt(repoRoot: string, log: (line: string) => void): boolean {
  const main = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  const sources = Math.max(newestMtime(join(repoRoot, 'src')), newestMtime(join(repoRoot, 'mocks')));
  if (mtimeOr0(main) >= sources) return false;
  log('dist/ is older than the sources: npm run build');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return true;
}

/** Transpiles bench/<name>.ts to plain ESM JavaScript; returns the path of the .mjs relative to the repo. */
export function childScript(repoRoot: string, name: 'probe' | 'serial-script'): string {
  const source = readFileSync(join(repoRoot, 'bench', `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  });
  mkdirSync(join(repoRoot, OUT_DIR), { recursive: true });
  const rel = join(OUT_DIR, `${name}.mjs`);
  writeFileSync(join(repoRoot, rel), outputText);
  return rel;
}

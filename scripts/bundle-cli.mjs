/**
 * `npm run build`, second step: the compiled CLI entry (dist/src/cli/main.js, what `npx hps` starts) becomes one
 * file holding the program and its pure-JavaScript dependencies. Node then loads one module instead of ~400 (a
 * command starts in ≈ 0.43 s instead of ≈ 0.6 s; docs/decisions.md, "One-file CLI"). Native addons (sharp,
 * better-sqlite3) and the packages loaded only when a command needs them (ldapts, node-powershell, cli-progress)
 * stay outside, loaded from node_modules as before. The other files under dist/ stay as tsc wrote them (the
 * emulator, and anything importing a module directly).
 */
import { build } from 'esbuild';

const ENTRY = 'dist/src/cli/main.js';

await build({
  entryPoints: [ENTRY],
  outfile: ENTRY,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Names as written (esbuild would rename clashing top-level names, and with them classes' `name`).
  keepNames: true,
  sourcemap: 'linked',
  external: ['sharp', 'better-sqlite3', 'ldapts', 'node-powershell', 'cli-progress'],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __hpsCreateRequire } from 'node:module';\nconst require = __hpsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

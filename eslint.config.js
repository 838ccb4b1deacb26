import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import directions (docs/architecture.md): data flows read → decide → apply → render, and each folder may import
 * only what sits before it. Each entry: the files, and the folders they must not import (gitignore-style patterns
 * over the import path, so '../../usecases/sync.js' matches '**∕usecases/**').
 */
const FOLDER = {
  cli: '**/cli/**',
  usecases: '**/usecases/**',
  // The sync stages are siblings: '../apply/x.js' from src/sync/read is caught as well.
  read: ['**/sync/read/**', '../read/**'],
  apply: ['**/sync/apply/**', '../apply/**'],
  decide: ['**/sync/decide/**', '../decide/**'],
  report: '**/report/**',
  directory: '**/directory/**',
  cloud: '**/cloud/**',
  powershell: '**/powershell/**',
  photo: '**/photo/**',
  state: '**/state/**',
  config: '**/config/**',
};
const ADAPTERS = ['directory', 'cloud', 'powershell', 'photo', 'state', 'config'];
/** The writer port: the one file of the middle the writers (cloud, powershell) implement. */
const WRITER_PORT = '!**/sync/apply/writer.js';

const ARROWS = [
  { stage: 'the decide stage (pure: plain data in, plain data out)', files: ['src/sync/decide/**'], banned: ['cli', 'usecases', 'read', 'apply', 'report', ...ADAPTERS], node: true },
  { stage: 'the read stage', files: ['src/sync/read/**'], banned: ['cli', 'usecases', 'apply', 'report', 'state', 'powershell', 'config'] },
  { stage: 'the apply stage', files: ['src/sync/apply/**'], banned: ['cli', 'usecases', 'read', 'report', 'directory', 'cloud', 'powershell', 'config'] },
  { stage: 'the renderers', files: ['src/report/**'], banned: ['cli', 'usecases', 'read', ...ADAPTERS] },
  { stage: 'the use cases', files: ['src/usecases/**'], banned: ['cli'] },
  { stage: 'an adapter', files: ADAPTERS.map((a) => `src/${a}/**`), banned: ['cli', 'usecases', 'read', 'decide', 'apply', 'report'], port: true },
  { stage: 'the shared vocabulary', files: ['src/model.ts', 'src/errors.ts'], banned: Object.keys(FOLDER) },
];

function arrowRule({ stage, files, banned, node, port }) {
  const patterns = banned.map((name) => ({
    group: [FOLDER[name], ...(port && name === 'apply' ? [WRITER_PORT] : [])].flat(),
    message: `${stage} may not import ${name} (see docs/architecture.md, "What may import what").`,
  }));
  if (node) patterns.push({ group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: `${stage} does no I/O.` });
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...ARROWS.map(arrowRule),
  {
    // The mocha reporter is CommonJS: mocha loads reporters with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

/**
 * The installed package's root folder (where package.json, ps-scripts/ and mocks/ live), found by walking up
 * from this file: the same answer from the TypeScript sources and from dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'ps-scripts'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the hybrid-photo-sync package root above ${from}`);
    dir = up;
  }
}

/**
 * Creating the folders that hold the state file, its lock and the audit log: private (0700, as docs/state.md says),
 * one level at a time, and only on a real file system.
 *
 * Why not `mkdir({ recursive: true })`: under a pseudo file system such as /proc it loops forever at full CPU
 * (the kernel answers ENOENT for the parent that `stat` says exists), and it cannot say which level failed. Here
 * the nearest existing ancestor is found first, must be a folder, and must not be /proc, /sys or /dev; each
 * missing level is then created with a plain mkdir, so every failure is one clear error.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { StateOpenError } from './errors.js';

const PLACE_ADVICE = 'set state.path (and state.auditLog, if set) to a folder on a local disk that this account can write';

/** Kernel pseudo file systems: nothing the tool keeps can live there. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

export function isOnPseudoFs(path: string): boolean {
  if (process.platform === 'win32') return false;
  const abs = resolve(path);
  return PSEUDO_ROOTS.some((root) => abs === root || abs.startsWith(`${root}${sep}`));
}

/**
 * Makes sure folder `dir` exists, creating missing levels with mode 0700. `what` names the file it is for in errors
 * (e.g. "state file /x/state.db"). Throws StateOpenError (a configuration error: exit 2).
 */
export function ensurePrivateFolder(dir: string, what: string, forPath: string): void {
  const abs = resolve(dir);
  if (isOnPseudoFs(abs)) {
    throw new StateOpenError(forPath, `the ${what} cannot live under ${abs.split(sep).slice(0, 2).join(sep)} (a kernel pseudo file system)`, { advice: PLACE_ADVICE });
  }
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st;
    try {
      st = statSync(cur);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new StateOpenError(forPath, `cannot use the folder ${cur} for the ${what}: ${code ?? (err as Error).message}`, { cause: err, advice: PLACE_ADVICE });
      const parent = dirname(cur);
      if (parent === cur) throw new StateOpenError(forPath, `cannot create the folder ${abs} for the ${what}: no part of it exists`, { advice: PLACE_ADVICE });
      missing.unshift(cur);
      cur = parent;
      continue;
    }
    if (!st.isDirectory()) throw new StateOpenError(forPath, `cannot create the folder ${abs} for the ${what}: ${cur} is not a folder`, { advice: PLACE_ADVICE });
    break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue; // made meanwhile by another run
      throw new StateOpenError(forPath, `cannot create the folder ${level} for the ${what}: ${code ?? (err as Error).message}`, { cause: err, advice: PLACE_ADVICE });
    }
  }
}

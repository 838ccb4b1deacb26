/**
 * Job files: how user data reaches the ps-scripts. Each call gets a private directory (mkdtemp, 0700) holding the
 * job JSON and any photo files (0600), all with generated names; the command line carries only those paths. The
 * directory is removed after the call, also when it fails.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface JobWorkspace {
  readonly dir: string;
  /** Writes the job as JSON to a new generated file (UTF-8, 0600) and returns its path. */
  writeJob(job: unknown): Promise<string>;
  /** Writes bytes to a new generated file (0600) and returns its path. */
  writeFile(bytes: Buffer, extension?: string): Promise<string>;
  /** A generated path for the script to write into (nothing is created). */
  reservePath(extension?: string): string;
  /** Removes the directory and everything in it. Safe to call twice. */
  dispose(): Promise<void>;
}

export async function createJobWorkspace(root: string = tmpdir()): Promise<JobWorkspace> {
  const dir = await mkdtemp(path.join(root, 'hps-ps-'));
  await chmod(dir, 0o700);
  let counter = 0;
  let disposed = false;
  const next = (extension: string): string => path.join(dir, `f${String(++counter).padStart(5, '0')}${extension}`);
  return {
    dir,
    async writeJob(job) {
      const file = next('.json');
      await writeFile(file, JSON.stringify(job), { encoding: 'utf8', mode: 0o600, flag: 'wx' });
      return file;
    },
    async writeFile(bytes, extension = '.bin') {
      const file = next(extension);
      await writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
      return file;
    },
    reservePath(extension = '.bin') {
      return next(extension);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with a fresh workspace and removes it afterwards, whatever happens. */
export async function withJobWorkspace<T>(fn: (ws: JobWorkspace) => Promise<T>, root?: string): Promise<T> {
  const ws = await createJobWorkspace(root);
  try {
    return await fn(ws);
  } finally {
    await ws.dispose();
  }
}

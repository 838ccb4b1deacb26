/** Doctor checks of the state: its folder writable, the run lock free, the state file's schema version. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { statePathFor } from '../run-frame.js';
import type { Config } from '../../config/schema.js';
import type { Env } from '../../config/secrets.js';
import { inspectStateFile } from '../../state/inspect.js';
import { DEFAULT_STALE_AFTER_MS, isPidAlive, judgeLock, lockPathFor, parseHolder } from '../../state/lock.js';
import { fail, ok, skip, warn, type Check } from './checks.js';


async function folderCheck(statePath: string): Promise<Check> {
  const dir = dirname(statePath);
  const probe = join(dir, `.hps-doctor-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'x');
    return ok('state-folder', dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail('state-folder', `cannot write ${dir}: ${code}`, 'Set state.path in the config to a folder this account can write.', 'config');
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

async function lockCheck(statePath: string): Promise<Check> {
  const path = lockPathFor(statePath);
  let text: string;
  let mtime: Date;
  try {
    [text, mtime] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtime)]);
  } catch {
    return ok('state-lock', `no lock file (${path})`);
  }
  const holder = parseHolder(text);
  const judged = judgeLock(
    { holder, mtime },
    { now: new Date(), hostname: hostname(), staleAfterMs: DEFAULT_STALE_AFTER_MS, unreadableGraceMs: 30_000, isPidAlive },
  );
  const who = holder ? `pid ${holder.pid} on ${holder.hostname} since ${holder.startedAt}${holder.command ? ` (${holder.command})` : ''}` : 'an unreadable lock file';
  if (judged.stale) return warn('state-lock', `left behind by ${who} (${judged.reason ?? 'stale'})`, 'The next run takes it over by itself; nothing to do unless this repeats.');
  return warn('state-lock', `held by ${who}: a run is in progress`, 'Wait for it to finish; a second run would stop with exit 5.');
}

function schemaCheck(statePath: string): Check {
  const s = inspectStateFile(statePath);
  switch (s.kind) {
    case 'absent':
      return ok('state-schema', `no state file yet; the first reconcile creates ${statePath} (schema version ${s.latest})`);
    case 'foreign':
      return fail('state-schema', `${statePath} is not a hybrid-photo-sync state file`, 'Point state.path at another file; this one belongs to something else.', 'config');
    case 'unreadable':
      return fail('state-schema', `${statePath} cannot be read: ${s.message}`, 'Restore it from a backup, or move it away to start over (the next run does a full read).', 'config');
    case 'ours':
      if (s.version > s.latest) {
        return fail('state-schema', `schema version ${s.version}, newer than this build knows (${s.latest})`, 'Upgrade hybrid-photo-sync, or point state.path at another file.', 'config');
      }
      return ok('state-schema', s.version < s.latest ? `schema version ${s.version}; the next run migrates it to ${s.latest}` : `schema version ${s.version} (current)`);
  }
}

export async function checkState(cfg: Config, env: Env): Promise<Check[]> {
  const statePath = statePathFor(cfg, env);
  const folder = await folderCheck(statePath);
  if (folder.result === 'fail') return [folder, skip('state-lock', 'not tried'), skip('state-schema', 'not tried')];
  return [folder, await lockCheck(statePath), schemaCheck(statePath)];
}

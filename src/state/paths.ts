/**
 * Default locations, per user and platform. Pure: the caller passes platform, environment and home folder
 * (process.platform, process.env, os.homedir()), so every platform can be tested anywhere.
 *
 * - Windows: %LOCALAPPDATA%\hybrid-photo-sync\state.db (fallback <home>\AppData\Local)
 * - macOS:   ~/Library/Application Support/hybrid-photo-sync/state.db
 * - others:  $XDG_STATE_HOME/hybrid-photo-sync/state.db (fallback ~/.local/state; a relative
 *            XDG_STATE_HOME is ignored, as the XDG spec says)
 */
import { posix, win32 } from 'node:path';

export const APP_DIR = 'hybrid-photo-sync';
export const STATE_FILE = 'state.db';
export const AUDIT_FILE = 'audit.jsonl';

export interface PathContext {
  platform: NodeJS.Platform | string;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
}

const nonEmpty = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== '' ? v : undefined);

/** The folder that holds the state file, the lock file and (by default) the audit log. */
export function defaultStateDir({ platform, env, homedir }: PathContext): string {
  if (platform === 'win32') {
    const local = nonEmpty(env.LOCALAPPDATA) ?? win32.join(homedir, 'AppData', 'Local');
    return win32.join(local, APP_DIR);
  }
  if (platform === 'darwin') return posix.join(homedir, 'Library', 'Application Support', APP_DIR);
  const xdg = nonEmpty(env.XDG_STATE_HOME);
  const base = xdg !== undefined && posix.isAbsolute(xdg) ? xdg : posix.join(homedir, '.local', 'state');
  return posix.join(base, APP_DIR);
}

function join(ctx: PathContext, file: string): string {
  return (ctx.platform === 'win32' ? win32 : posix).join(defaultStateDir(ctx), file);
}

export function defaultStatePath(ctx: PathContext): string {
  return join(ctx, STATE_FILE);
}

export function defaultAuditPath(ctx: PathContext): string {
  return join(ctx, AUDIT_FILE);
}

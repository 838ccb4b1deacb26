/**
 * Loading the config file: JSON → zod → Config, paths resolved against the file's folder, errors that name the field.
 */
import { readBoundedText } from '../files/bounded-read.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { HpsError, type ErrorKind } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'hybrid-photo-sync.config.json';
/** A config file is a few kilobytes; anything over this is not one. */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/** The config file, an environment variable it names, or a place it points at is wrong. */
export class ConfigError extends HpsError {
  override readonly kind: ErrorKind = 'config';
}

/** `<title>:` then one line per issue, named by its field path. */
export function formatIssues(err: z.ZodError, title: string): string {
  const lines = err.issues.map((i) => `  - ${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
  return `${title}:\n${lines.join('\n')}`;
}

/** Validates already-parsed JSON. `baseDir` resolves relative file paths in the config. */
export function parseConfig(raw: unknown, file: string, baseDir: string): Config {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, `${file} is not valid`), { cause: parsed.error });
  const cfg = parsed.data;
  const at = (p: string | undefined): string | undefined => (p === undefined || isAbsolute(p) ? p : resolve(baseDir, p));
  if (cfg.directory.type === 'ldif') cfg.directory.file = at(cfg.directory.file) as string;
  else cfg.directory.caFile = at(cfg.directory.caFile);
  if (cfg.photoFolder) cfg.photoFolder.path = at(cfg.photoFolder.path) as string;
  cfg.cloud.caFile = at(cfg.cloud.caFile);
  if (cfg.cloud.certificate) {
    cfg.cloud.certificate.privateKeyFile = at(cfg.cloud.certificate.privateKeyFile) as string;
    cfg.cloud.certificate.certificateFile = at(cfg.cloud.certificate.certificateFile) as string;
  }
  cfg.state.path = at(cfg.state.path);
  cfg.state.auditLog = at(cfg.state.auditLog);
  return cfg;
}

export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<Config> {
  let text: string;
  try {
    // A UTF-8 byte-order mark (Notepad, PowerShell 5.1's Out-File) is dropped.
    text = await readBoundedText(file, { maxBytes: CONFIG_MAX_BYTES });
  } catch (err) {
    const missing = (err as { code?: string }).code === 'not-found';
    const hint = missing ? ` (create it, or pass --config FILE; see docs/configuration.md)` : '';
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message.replace(file, 'it')}${hint}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(raw, file, dirname(resolve(file)));
}

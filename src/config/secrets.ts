/**
 * Secrets come from environment variables named in the config, never from the command line, and are never echoed.
 */
import { ConfigError } from './load.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function requireSecret(env: Env, name: string, what: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(`${what} is not set: put it in the environment variable ${name} (it is never read from the command line or the config file)`);
  }
  return value;
}

export function optionalSecret(env: Env, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = env[name];
  return value === '' ? undefined : value;
}

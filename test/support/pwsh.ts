/**
 * PowerShell for tests: where to find one (the product's search, $HPS_PWSH, or the engine host that
 * .ci/install-pwsh.sh builds), and the Exchange stub's store folder (mocks/exchange-stub).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPowerShell, type ProbeResult } from '../../src/powershell/executable.js';

export const STUB_MODULE = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'), 'mocks', 'exchange-stub', 'ExchangeStub.psm1');

/** A probed PowerShell, or the reason there is none (for skipLoudly). */
export async function locatePwsh(): Promise<ProbeResult | string> {
  const reasons: string[] = [];
  const hostDir = process.env.HPS_PWSH_HOST_DIR ?? path.join(homedir(), '.cache', 'hybrid-photo-sync', 'pwsh-host');
  // $HPS_PWSH, then the production search (PATH, ~/.dotnet/tools), then the engine host install-pwsh.sh builds.
  const attempts: { configured?: string }[] = [];
  if (process.env.HPS_PWSH) attempts.push({ configured: process.env.HPS_PWSH });
  attempts.push({}, { configured: path.join(hostDir, 'pwsh') });
  for (const attempt of attempts) {
    try {
      return await findPowerShell(attempt);
    } catch (err) {
      reasons.push((err as Error).message);
    }
  }
  return `${reasons.join(' | ')} — run .ci/install-pwsh.sh`;
}

export interface Store {
  dir: string;
  setFlag(name: string, content?: string): Promise<void>;
  clearFlag(name: string): Promise<void>;
  received(cmdlet?: string): Promise<string[]>;
  connections(): Promise<string[][]>;
}

export async function makeStore(root: string, mailboxes: readonly string[], denied: readonly string[] = []): Promise<Store> {
  const dir = await mkdtemp(path.join(root, 'store-'));
  await mkdir(path.join(dir, 'flags'));
  await writeFile(path.join(dir, 'mailboxes.txt'), mailboxes.join('\n') + '\n', 'utf8');
  await writeFile(path.join(dir, 'denied.txt'), denied.join('\n') + '\n', 'utf8');
  const lines = async (name: string): Promise<string[]> => {
    const file = path.join(dir, name);
    if (!existsSync(file)) return [];
    return (await readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
  };
  return {
    dir,
    setFlag: (name, content = '') => writeFile(path.join(dir, 'flags', name), content),
    clearFlag: (name) => rm(path.join(dir, 'flags', name), { force: true }),
    async received(cmdlet) {
      return (await lines('received.log'))
        .map((l) => l.split('\t'))
        .filter(([c]) => cmdlet === undefined || c === cmdlet)
        .map(([, b64]) => Buffer.from(b64 ?? '', 'base64').toString('utf8'));
    },
    async connections() {
      return (await lines('connections.log')).map((l) => l.split('\t'));
    },
  };
}

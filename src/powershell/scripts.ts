/** Where the bridge's ps-scripts are: the package's ps-scripts/ folder, found from this module (src or dist). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PowerShellError } from './errors.js';

export const SCRIPT_NAMES = {
  connect: 'Connect-Exchange.ps1',
  disconnect: 'Disconnect-Exchange.ps1',
  setPhotos: 'Set-Photos.ps1',
  getPhoto: 'Get-Photo.ps1',
  removePhotos: 'Remove-Photos.ps1',
} as const;

/** Walks up from `fromUrl` to the first folder holding ps-scripts/Connect-Exchange.ps1. */
export function findScriptsDir(fromUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    const candidate = path.join(dir, 'ps-scripts');
    if (existsSync(path.join(candidate, SCRIPT_NAMES.connect))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new PowerShellError('Cannot find the ps-scripts folder of hybrid-photo-sync');
    dir = parent;
  }
}

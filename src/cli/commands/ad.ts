/** `hps ad …`: writing photos into on-prem Active Directory (docs/ad-import.md). */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { registerAdImport } from './ad-import.js';
import { registerAdRemove } from './ad-remove.js';

export function registerAd(program: Command, ctx: CommandContext): void {
  const ad = program.command('ad').description('write photos into on-prem Active Directory (thumbnailPhoto, jpegPhoto)');
  registerAdImport(ad, ctx);
  registerAdRemove(ad, ctx);
}

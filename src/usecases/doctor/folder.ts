/** Doctor check of the HR photo folder: readable, how many image files, how many sampled users have one. */
import { readdir } from 'node:fs/promises';
import type { Config } from '../../config/schema.js';
import { FolderPhotoSource } from '../../directory/folder.js';
import type { OnPremUser } from '../../model.js';
import { explain, fail, ok, skip, warn, type Check } from './checks.js';

const IMAGE = /\.(jpe?g|png)$/i;

export async function checkPhotoFolder(cfg: Config, sample: readonly OnPremUser[]): Promise<Check> {
  const f = cfg.photoFolder;
  if (!f) return skip('photo-folder', 'no photoFolder configured');
  let names: string[];
  try {
    names = (await readdir(f.path, { withFileTypes: true })).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail('photo-folder', `cannot list ${f.path}: ${code}`, 'Check photoFolder.path and that this account may read the folder (a file share must be mounted).', 'config');
  }
  let source: FolderPhotoSource;
  try {
    source = new FolderPhotoSource({ dir: f.path, patterns: [f.pattern] });
  } catch (err) {
    const { detail } = explain(err);
    return fail('photo-folder', detail, 'Fix photoFolder.pattern (docs/configuration.md lists the tokens).', 'config');
  }
  const images = names.filter((n) => IMAGE.test(n)).length;
  let matched = 0;
  for (const u of sample) if ((await source.findFile(u)) !== undefined) matched += 1;
  const detail = `${f.path}: ${images} image files; ${matched} of ${sample.length} sampled users have a file matching "${f.pattern}"`;
  const unused = cfg.reconcile.photoOrder[0] !== 'folder';
  if (unused) return warn('photo-folder', `${detail}; not used: reconcile.photoOrder does not start with "folder"`, 'Put "folder" first in reconcile.photoOrder to use the HR photos, or remove photoFolder.');
  if (images > 0 && sample.length > 0 && matched === 0) {
    return warn('photo-folder', detail, `No sampled user has a file: check that "${f.pattern}" names the files as they are (e.g. {sAMAccountName}.jpg).`);
  }
  return ok('photo-folder', detail);
}

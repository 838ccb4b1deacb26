/**
 * The `both` write mode's source for the cloud step: each user's photo is the file the AD step's automatch gave that
 * user, as its subject square ({@link squarePhoto}). One matching for both sides (a file ambiguous for AD is not used
 * for the cloud either), and one picture: the cloud (normalised from the square) and AD (the square fitted into
 * 100 KB) hold the same framing, and the comparison with the cloud looks at that square too. Without this the cloud
 * would get the centre square of a 3:4 portrait and AD the square around the face: two pictures the comparator
 * tells apart, and Entra Connect copying AD's thumbnail to the cloud would look like drift every cycle.
 *
 * Users without a matched file keep the directory's photo (AD's thumbnailPhoto), as with the folder overlay. The
 * square is deterministic, so the source fingerprint is stable across runs. A file that cannot be read or is not a
 * photo becomes that user's readError, as with the folder overlay.
 */
import { join } from 'node:path';
import type { DirectorySource, UsersOptions } from '../directory/source.js';
import type { OnPremUser } from '../model.js';
import { squarePhoto } from '../photo/fit.js';
import type { Automatch } from '../sync/decide/automatch.js';

export function withMatchedSquares(
  source: DirectorySource,
  folder: string,
  automatch: Pick<Automatch, 'matched'>,
  readFile: (path: string) => Promise<Buffer>,
): DirectorySource {
  const fileOf = new Map(automatch.matched.filter((m) => m.user.objectGuid !== '').map((m) => [m.user.objectGuid.toLowerCase(), m.file]));
  async function* squared(opts?: UsersOptions): AsyncGenerator<OnPremUser> {
    for await (const user of source.users(opts)) {
      const file = fileOf.get(user.objectGuid.toLowerCase());
      if (file === undefined) {
        yield user;
        continue;
      }
      try {
        const square = await squarePhoto(await readFile(join(folder, file)));
        yield { ...user, photo: { origin: `folder:${file}`, bytes: square.jpeg } };
      } catch (err) {
        const why = `HR photo ${file}: ${(err as Error).message}`;
        yield { ...user, readError: user.readError ? `${user.readError}; ${why}` : why };
      }
    }
  }
  const wrapped: DirectorySource = { users: (opts) => squared(opts), close: () => source.close() };
  const mark = source.directoryMark?.bind(source);
  if (mark) wrapped.directoryMark = mark;
  return wrapped;
}

/**
 * The `both` write mode's source: HR folder photos replaced by their subject square ({@link squarePhoto}), so the
 * cloud (normalised from the square) and AD (the square fitted into 100 KB) hold the same picture, and the
 * comparison with the cloud looks at that square too. Without this the cloud would get the centre square of a 3:4
 * portrait and AD the square around the face: two pictures the comparator tells apart, and Entra Connect copying
 * AD's thumbnail to the cloud would look like drift every cycle.
 *
 * Only `folder:` photos are squared; AD's own thumbnailPhoto is already what the AD side wrote. The square is
 * deterministic, so the source fingerprint is stable across runs. A file that is not a photo is passed through
 * unchanged, to fail in the pipeline with the usual per-user error.
 */
import type { DirectorySource, UsersOptions } from '../directory/source.js';
import type { OnPremUser } from '../model.js';
import { squarePhoto } from '../photo/fit.js';

export function withSubjectSquares(source: DirectorySource): DirectorySource {
  async function* squared(opts?: UsersOptions): AsyncGenerator<OnPremUser> {
    for await (const user of source.users(opts)) {
      const photo = user.photo;
      if (!photo?.origin.startsWith('folder:')) {
        yield user;
        continue;
      }
      const bytes = await squarePhoto(photo.bytes).then((s) => s.jpeg, () => photo.bytes);
      yield { ...user, photo: { origin: photo.origin, bytes } };
    }
  }
  const wrapped: DirectorySource = { users: (opts) => squared(opts), close: () => source.close() };
  const mark = source.directoryMark?.bind(source);
  if (mark) wrapped.directoryMark = mark;
  return wrapped;
}

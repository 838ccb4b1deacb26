import assert from 'node:assert/strict';
import sharp from 'sharp';
import { withMatchedSquares } from '../../src/usecases/ad-square-source.js';
import type { DirectorySource } from '../../src/directory/source.js';
import type { OnPremUser } from '../../src/model.js';
import { comparePhotos } from '../../src/photo/index.js';
import { fitPhoto } from '../../src/photo/fit.js';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';

const user = (sam: string, photo?: Buffer): OnPremUser => ({
  dn: `CN=${sam}`, objectGuid: `0000000${sam.length}-0000-0000-0000-00000000000${sam.length}`, immutableId: '', sAMAccountName: sam,
  ...(photo ? { photo: { origin: 'thumbnailPhoto', bytes: photo } } : {}),
});

describe('ad/square-source: the both mode cloud source', () => {
  it("gives matched users their file's subject square, keeps the others, and makes a bad file that user's error", async () => {
    const portrait = realPhoto('grace-hopper.jpg');
    const users = [user('a'), user('bb', Buffer.from('ad thumb')), user('ccc')];
    const source: DirectorySource = { users: async function* () { yield* users; }, close: async () => undefined };
    const files: Record<string, Buffer> = { '/hr/a.jpg': portrait, '/hr/ccc.jpg': Buffer.from('not a photo') };
    const wrapped = withMatchedSquares(source, '/hr', { matched: [{ file: 'a.jpg', user: users[0]!, patterns: [] }, { file: 'ccc.jpg', user: users[2]!, patterns: [] }] }, async (p) => {
      const b = files[p];
      if (!b) throw new Error(`ENOENT ${p}`);
      return b;
    });
    const out: OnPremUser[] = [];
    for await (const u of wrapped.users()) out.push(u);
    const [a, b, c] = out as [OnPremUser, OnPremUser, OnPremUser];
    assert.equal(a.photo?.origin, 'folder:a.jpg');
    const meta = await sharp(a.photo?.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [512, 512]);
    assert.ok((await comparePhotos(a.photo!.bytes, (await fitPhoto(portrait)).jpeg)).same, 'the square AD gets');
    assert.equal(b.photo?.bytes.toString(), 'ad thumb');
    assert.match(c.readError ?? '', /HR photo ccc\.jpg: The data is not an image/);
  });
});

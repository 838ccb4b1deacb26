import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OnPremUser } from '../../src/model.js';
import { DirectoryConfigError, DirectoryError } from '../../src/directory/errors.js';
import { FolderPhotoSource, compilePattern, withFolderPhotos, type FolderFs } from '../../src/directory/folder.js';
import type { DirectorySource, UsersOptions } from '../../src/directory/source.js';
import { collect } from '../support/json.js';

function user(over: Partial<OnPremUser> = {}): OnPremUser {
  return {
    dn: 'CN=John Smith,OU=Staff,DC=corp,DC=example,DC=test',
    objectGuid: '00112233-4455-6677-8899-aabbccddeeff',
    immutableId: 'MyIRAFVEd2aImaq7zN3u/w==',
    sAMAccountName: 'jsmith',
    userPrincipalName: 'John.Smith@corp.example.test',
    mail: 'john.smith@example.test',
    employeeId: '004711',
    ...over,
  };
}

/** A folder in memory: names → bytes (or an Error to throw on read). */
function memFs(files: Record<string, Buffer | Error>, calls: string[] = []): FolderFs {
  return {
    async listFiles() {
      calls.push('list');
      return Object.keys(files);
    },
    async readFile(file) {
      calls.push(`read:${path.basename(file)}`);
      const v = files[path.basename(file)];
      if (v instanceof Error || v === undefined) throw v ?? new Error('ENOENT');
      return v;
    },
  };
}

function fakeSource(users: OnPremUser[], seen: UsersOptions[] = []): DirectorySource & { closed: number } {
  const src = {
    closed: 0,
    async *users(opts?: UsersOptions) {
      seen.push(opts ?? {});
      for (const u of users) yield u;
    },
    async directoryMark() {
      return { invocationId: 'inv', usn: 42n };
    },
    async close() {
      src.closed += 1;
    },
  };
  return src;
}

const B = (s: string): Buffer => Buffer.from(s);

describe('directory folder: patterns', () => {
  it('rejects patterns that cannot work, saying why', () => {
    for (const [p, why] of [
      ['photo.jpg', /needs a user token/],
      ['{sAMAcountName}.jpg', /unknown token/],
      ['{sAMAccountName.jpg', /without "}"/],
      ['sub/{sAMAccountName}.jpg', /file name, not a path/],
      ['{sAMAccountName}}.jpg', /without "{"/],
    ] as const) {
      assert.throws(() => compilePattern(p), (err: unknown) => err instanceof DirectoryConfigError && why.test(err.message), p);
    }
    assert.throws(() => new FolderPhotoSource({ dir: '.', patterns: [] }), DirectoryConfigError);
    assert.equal(compilePattern('{SAMACCOUNTNAME}.JPG').parts.length, 2, 'token names are case-insensitive');
  });
});

describe('directory folder: matching', () => {
  const files = {
    'JSMITH.JPG': B('sam-upper'),
    'jsmith.png': B('sam-png'),
    'jsmith-old.jpg': B('sam-old'),
    '004711.jpeg': B('emp-jpeg'),
    '004711.txt': B('not an image'),
    '0047110.jpg': B('other employee'),
    'john.smith@corp.example.test.png': B('upn'),
    'John.Smith.jpg': B('upn-prefix'),
    'smith, john.jpg': B('name'),
    'John.Smith@Example.test.jpeg': B('mail'),
    '00112233-4455-6677-8899-AABBCCDDEEFF.jpg': B('guid'),
  };
  const find = (patterns: string[], u = user(), extensions?: string[]): Promise<string | undefined> =>
    new FolderPhotoSource({ dir: '/hr', patterns, fs: memFs(files), ...(extensions ? { extensions } : {}) }).findFile(u);

  it('matches tokens case-insensitively and prefers the first listed extension', async () => {
    assert.equal(await find(['{sAMAccountName}.{ext}']), 'JSMITH.JPG');
    assert.equal(await find(['{sAMAccountName}.{ext}'], user(), ['png', 'jpg']), 'jsmith.png');
    assert.equal(await find(['{sAMAccountName}.jpg']), 'JSMITH.JPG');
  });

  it('`*` matches any run of characters but only image files are considered', async () => {
    assert.equal(await find(['{employeeID}.*']), '004711.jpeg', 'not 004711.txt, not 0047110.jpg');
    assert.equal(await find(['{sAMAccountName}*.jpg']), 'JSMITH.JPG', 'the shorter name wins among equals');
    assert.equal(await find(['{sAMAccountName}-*.jpg']), 'jsmith-old.jpg');
  });

  it('knows {userPrincipalName}, {upnPrefix}, {mail}, {objectGUID}', async () => {
    assert.equal(await find(['{userPrincipalName}.{ext}']), 'john.smith@corp.example.test.png');
    assert.equal(await find(['{upnPrefix}.jpg']), 'John.Smith.jpg');
    assert.equal(await find(['{mail}.{ext}']), 'John.Smith@Example.test.jpeg');
    assert.equal(await find(['{mail}.jpg']), undefined, 'the extension is part of the pattern');
    assert.equal(await find(['{objectGUID}.jpg']), '00112233-4455-6677-8899-AABBCCDDEEFF.jpg');
    assert.equal(await find(['{objectGUID}.jpg'], user({ objectGuid: '' })), undefined);
  });

  it('tries patterns in order and skips patterns whose token the user lacks', async () => {
    assert.equal(await find(['{employeeID}.{ext}', '{sAMAccountName}.{ext}']), '004711.jpeg');
    assert.equal(await find(['{employeeID}.{ext}', '{sAMAccountName}.{ext}'], user({ employeeId: undefined })), 'JSMITH.JPG');
    assert.equal(await find(['{employeeID}.{ext}'], user({ employeeId: '' })), undefined);
    assert.equal(await find(['{sAMAccountName}.{ext}'], user({ sAMAccountName: 'nobody' })), undefined);
  });

  it('treats regex and glob characters in values literally', async () => {
    const fs = memFs({ 'a.b(c)+.jpg': B('x'), 'aXb(c)+.jpg': B('y'), '[x].jpg': B('z') });
    const src = new FolderPhotoSource({ dir: '/hr', patterns: ['{sAMAccountName}.jpg'], fs });
    assert.equal(await src.findFile(user({ sAMAccountName: 'a.b(c)+' })), 'a.b(c)+.jpg');
    assert.equal(await src.findFile(user({ sAMAccountName: '[x]' })), '[x].jpg');
    assert.equal(await src.findFile(user({ sAMAccountName: '*' })), undefined);
  });

  it('matches names in either Unicode normal form', async () => {
    const nfd = 'Zoe\u0301.jpg'; // as macOS writes it
    const src = new FolderPhotoSource({ dir: '/hr', patterns: ['{sAMAccountName}.jpg'], fs: memFs({ [nfd]: B('z') }) });
    assert.equal(await src.findFile(user({ sAMAccountName: 'zo\u00e9' })), nfd);
  });

  it('lists the folder once for any number of users', async () => {
    const calls: string[] = [];
    const src = new FolderPhotoSource({ dir: '/hr', patterns: ['{sAMAccountName}.jpg'], fs: memFs(files, calls) });
    await Promise.all(['jsmith', 'x', 'y'].map((s) => src.findFile(user({ sAMAccountName: s }))));
    assert.deepEqual(calls, ['list']);
  });
});

describe('directory folder: withFolderPhotos', () => {
  it('overlays the HR photo (folder:<file>), keeps the directory photo where there is none, passes options through', async () => {
    const calls: string[] = [];
    const ad = { origin: 'thumbnailPhoto', bytes: B('ad') };
    const seen: UsersOptions[] = [];
    const src = fakeSource([user({ photo: ad }), user({ sAMAccountName: 'nohr', employeeId: undefined, photo: ad })], seen);
    const folder = new FolderPhotoSource({ dir: '/hr', patterns: ['{sAMAccountName}.jpg'], fs: memFs({ 'jsmith.jpg': B('hr') }, calls) });
    const merged = withFolderPhotos(src, folder);
    const only = { by: 'mail', value: 'x' } as const;
    const users = await collect(merged.users({ only }));
    assert.deepEqual(users[0]?.photo, { origin: 'folder:jsmith.jpg', bytes: B('hr') });
    assert.deepEqual(users[1]?.photo, ad);
    assert.deepEqual(seen, [{ only }]);
    assert.deepEqual(await merged.directoryMark?.(), { invocationId: 'inv', usn: 42n });
    await merged.close();
    assert.equal(src.closed, 1);
  });

  it('reads files lazily, one user at a time', async () => {
    const calls: string[] = [];
    const names = ['a', 'b', 'c'];
    const folder = new FolderPhotoSource({
      dir: '/hr',
      patterns: ['{sAMAccountName}.jpg'],
      fs: memFs(Object.fromEntries(names.map((n) => [`${n}.jpg`, B(n)])), calls),
    });
    const merged = withFolderPhotos(fakeSource(names.map((n) => user({ sAMAccountName: n }))), folder);
    for await (const u of merged.users()) {
      assert.equal(calls.at(-1), `read:${u.sAMAccountName}.jpg`, 'the file is read just before its user is yielded');
      if (u.sAMAccountName === 'b') break;
    }
    assert.deepEqual(calls, ['list', 'read:a.jpg', 'read:b.jpg']);
  });

  describe('on disk', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'hps-folder-'));
      await writeFile(path.join(dir, 'good.jpg'), B('good'));
      await symlink(path.join(dir, 'gone.jpg'), path.join(dir, 'broken.jpg')); // a link whose target was deleted
      await writeFile(path.join(dir, 'huge.jpg'), Buffer.alloc(2048));
      await mkdir(path.join(dir, 'dir.jpg'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('gives an unreadable or oversized file a readError, keeps the directory photo and goes on', async () => {
      const ad = { origin: 'jpegPhoto', bytes: B('ad') };
      const folder = new FolderPhotoSource({ dir, patterns: ['{sAMAccountName}.jpg'], maxBytes: 1024 });
      const merged = withFolderPhotos(
        fakeSource([
          user({ sAMAccountName: 'broken', photo: ad }),
          user({ sAMAccountName: 'huge', readError: 'earlier problem' }),
          user({ sAMAccountName: 'good' }),
          user({ sAMAccountName: 'dir' }),
        ]),
        folder,
      );
      const [broken, huge, good, dirUser] = await collect(merged.users());
      assert.match(broken?.readError ?? '', /cannot read HR photo .*broken\.jpg: it does not exist/);
      assert.deepEqual(broken?.photo, ad);
      assert.match(huge?.readError ?? '', /^earlier problem; cannot read HR photo .*huge\.jpg: it is larger than the limit of 1024 bytes \(2048 bytes\)/);
      assert.deepEqual(good?.photo, { origin: 'folder:good.jpg', bytes: B('good') });
      assert.equal(good?.readError, undefined);
      assert.equal(dirUser?.photo, undefined, 'a directory named like a photo is not a photo');
    });

    it('stops the run when the folder itself cannot be listed', async () => {
      const folder = new FolderPhotoSource({ dir: path.join(dir, 'missing'), patterns: ['{sAMAccountName}.jpg'] });
      await assert.rejects(collect(withFolderPhotos(fakeSource([user()]), folder).users()), (err: unknown) => {
        return err instanceof DirectoryError && /Cannot list the photo folder/.test(err.message);
      });
    });
  });
});

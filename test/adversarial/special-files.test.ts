/**
 * Adversarial: special files behind names the tool reads (HR folder, any bounded read). Each case must end in a clear
 * refusal within a second, never a hang or an unbounded read, and never quote the file's contents.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BoundedReadError, readBounded, withIdleTimeout } from '../../src/files/bounded-read.js';
import { FolderPhotoSource, withFolderPhotos } from '../../src/directory/folder.js';
import type { OnPremUser } from '../../src/model.js';
import { runHps } from '../support/cli.js';

const user = (sam: string): OnPremUser => ({ dn: `CN=${sam},DC=x`, objectGuid: `g-${sam}`, immutableId: '', sAMAccountName: sam });

describe('adversarial: special files', function () {
  this.timeout(20_000);
  let dir: string;
  let hr: string;
  let server: Server | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hps-adv-files-'));
    hr = path.join(dir, 'hr');
    await mkdir(hr);
    await writeFile(path.join(dir, 'secret.env'), 'HPS_CLIENT_SECRET=SuperSecret1\n');
    await writeFile(path.join(hr, 'good.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    await symlink('/dev/zero', path.join(hr, 'zero.jpg'));
    await symlink(path.join(dir, 'secret.env'), path.join(hr, 'leak.jpg'));
    await symlink('../secret.env', path.join(hr, 'rel.jpg'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    await symlink(path.join(dir, 'pipe'), path.join(hr, 'pipe.jpg'));
    execFileSync('mkfifo', [path.join(hr, 'inside-pipe.jpg')]);
    await symlink(path.join(hr, 'inside-pipe.jpg'), path.join(hr, 'fifo.jpg'));
    server = createServer();
    await new Promise<void>((r) => server?.listen(path.join(hr, 'sock.jpg'), r));
    await writeFile(path.join(hr, 'big.jpg'), Buffer.alloc(4096));
  });
  after(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await rm(dir, { recursive: true, force: true });
  });

  const refuses = async (file: string, code: BoundedReadError['code'], opts: { within?: string; maxBytes?: number } = {}): Promise<void> => {
    const t0 = Date.now();
    await assert.rejects(readBounded(file, { maxBytes: opts.maxBytes ?? 1024 * 1024, ...(opts.within ? { within: opts.within } : {}) }), (err: unknown) => {
      assert.ok(err instanceof BoundedReadError, String(err));
      assert.equal(err.code, code, err.message);
      assert.doesNotMatch(err.message, /SuperSecret|HPS_CLIENT/);
      return true;
    });
    assert.ok(Date.now() - t0 < 2000, `refused in ${Date.now() - t0} ms`);
  };

  it('refuses a character device (/dev/zero reports size 0 to stat)', () => refuses('/dev/zero', 'not-a-file'));
  it('refuses a FIFO without waiting for a writer', () => refuses(path.join(dir, 'pipe'), 'not-a-file'));
  it('refuses a socket', () => refuses(path.join(hr, 'sock.jpg'), 'not-a-file'));
  it('refuses a device node inside the folder (needs root to create; else SKIPPED)', async function () {
    try {
      execFileSync('mknod', [path.join(hr, 'null.jpg'), 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      console.log('      SKIPPED: mknod needs root');
      this.skip();
    }
    await refuses(path.join(hr, 'null.jpg'), 'not-a-file', { within: hr });
  });
  it('refuses a folder', () => refuses(hr, 'not-a-file'));
  it('refuses a file over the cap, reading at most cap+1 bytes', () => refuses(path.join(hr, 'big.jpg'), 'too-large', { maxBytes: 1000 }));
  it('refuses absolute and relative links out of the folder', async () => {
    await refuses(path.join(hr, 'leak.jpg'), 'outside-folder', { within: hr });
    await refuses(path.join(hr, 'rel.jpg'), 'outside-folder', { within: hr });
  });
  it('follows a link to a regular file inside the folder', async () => {
    await symlink(path.join(hr, 'good.jpg'), path.join(hr, 'alias.jpg'));
    assert.equal((await readBounded(path.join(hr, 'alias.jpg'), { maxBytes: 10, within: hr })).length, 4);
  });

  it('HR folder: each hostile file is one per-user error, the run goes on, no contents in the reason', async () => {
    const names = ['zero', 'leak', 'rel', 'pipe', 'fifo', 'sock', 'big', 'good'];
    const folder = new FolderPhotoSource({ dir: hr, patterns: ['{sAMAccountName}.jpg'], maxBytes: 1000 });
    const source = { async *users() { for (const n of names) yield user(n); }, async close() {} };
    const t0 = Date.now();
    const out: OnPremUser[] = [];
    for await (const u of withFolderPhotos(source, folder).users()) out.push(u);
    assert.ok(Date.now() - t0 < 3000);
    const reason = (n: string): string => out.find((u) => u.sAMAccountName === n)?.readError ?? '';
    assert.match(reason('zero'), /zero\.jpg: it points outside the folder .* \(to \/dev\/zero\)/);
    assert.match(reason('leak'), /points outside the folder/);
    assert.match(reason('rel'), /points outside the folder/);
    assert.match(reason('pipe'), /points outside the folder/);
    assert.match(reason('fifo'), /is a named pipe \(FIFO\), not a regular file/);
    assert.equal(reason('sock'), '', 'a socket is not listed as a file at all');
    assert.equal(out.find((u) => u.sAMAccountName === 'sock')?.photo, undefined);
    assert.match(reason('big'), /larger than the limit of 1000 bytes/);
    assert.equal(reason('good'), '');
    assert.equal(out.find((u) => u.sAMAccountName === 'good')?.photo?.bytes.length, 4);
    for (const u of out) assert.doesNotMatch(u.readError ?? '', /SuperSecret|HPS_CLIENT/);
  });

  it('hps compare: /dev/zero, a FIFO and a file over 25 MiB end at once with exit 2, never read whole', async () => {
    const huge = path.join(dir, 'huge.jpg');
    await writeFile(huge, Buffer.alloc(26 * 1024 * 1024));
    const good = path.join(hr, 'good.jpg');
    for (const [file, why] of [['/dev/zero', /character device/], [path.join(dir, 'pipe'), /named pipe/], [huge, /larger than the limit of 26214400 bytes/]] as const) {
      const t0 = Date.now();
      const r = await runHps(['compare', file, good]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, why);
      assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    }
  });

  it('a stream that stalls (a hung share) fails after the idle bound instead of waiting forever', async () => {
    async function* stalls(): AsyncGenerator<Buffer> {
      yield Buffer.from('dn: CN=a\n');
      await new Promise(() => undefined);
    }
    const t0 = Date.now();
    const got: Buffer[] = [];
    await assert.rejects(
      (async () => {
        for await (const c of withIdleTimeout(stalls(), 200, '/share/export.ldif')) got.push(c);
      })(),
      (err: unknown) => err instanceof BoundedReadError && err.code === 'timeout' && /export\.ldif stalled/.test(err.message),
    );
    assert.equal(got.length, 1);
    assert.ok(Date.now() - t0 < 1500);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OnPremUser } from '../../src/model.js';
import { DirectoryError, LdifSyntaxError } from '../../src/directory/errors.js';
import { LdifDirectorySource, decodeText, isBase64, parseLdif, type LdifRecord } from '../../src/directory/ldif.js';
import { collect } from '../support/json.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ldif');

interface Expected {
  dn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  employeeId: string | null;
  objectGuid: string;
  objectGuidBase64: string;
  disabled: boolean;
  uSNChanged: string;
  msExchRecipientTypeDetails: string | null;
  photoOrigin: string | null;
  photoFile: string | null;
}

async function records(text: string): Promise<LdifRecord[]> {
  return collect(parseLdif(text.split('\n')));
}

function values(rec: LdifRecord | undefined, name: string): Array<string | Buffer> {
  return rec?.attributes.get(name) ?? [];
}

describe('directory LDIF: parser', () => {
  it('takes canonical base64 only: padding at the end, the standard alphabet, nothing skipped', () => {
    for (const ok of ['', 'QQ==', 'QUI=', 'QUJD', 'QUJDRA==']) assert.equal(isBase64(ok), true, ok);
    for (const bad of ['Q===', '====', '!AAA', 'QU JD', 'QUJD\n', 'AB==CD==', 'QU-D', 'QU_D', 'QUJ', 'QUJDR']) assert.equal(isBase64(bad), false, JSON.stringify(bad));
  });

  it('unfolds continuation lines anywhere, even inside an attribute name or base64', async () => {
    const b64 = Buffer.from('a fairly long value that will be folded in odd places').toString('base64');
    const [rec] = await records(
      ['dn: CN=Fold,DC=x', `descr`, ` iption:: ${b64.slice(0, 10)}`, ` ${b64.slice(10, 30)}`, ` ${b64.slice(30)}`, 'cn: two', '  spaces kept'].join('\n'),
    );
    assert.equal(rec?.dn, 'CN=Fold,DC=x');
    assert.deepEqual(values(rec, 'description'), [Buffer.from('a fairly long value that will be folded in odd places')]);
    assert.deepEqual(values(rec, 'cn'), ['two spaces kept'], 'only the one leading space of a continuation is dropped');
  });

  it('handles version, comments (also folded), multiple values, base64 dn, options, CRLF and SAFE-STRING spacing', async () => {
    const text = [
      'version: 1',
      '# a comment that is',
      ' folded onto a second line',
      'dn:: ' + Buffer.from('CN=Chlo\u00e9,DC=x').toString('base64'),
      'objectClass: top',
      'objectClass:user',
      'member: CN=A,DC=x',
      'member:    CN=B,DC=x',
      'thumbnailPhoto;binary:: AAEC',
      'description:',
      '',
      '',
      'dn: CN=Second,DC=x',
      '',
    ].join('\r\n');
    const recs = await collect(parseLdif(text.split('\n')));
    assert.equal(recs.length, 2, 'blank lines separate records; extra blank lines are harmless');
    const [first, second] = recs;
    assert.equal(first?.dn, 'CN=Chlo\u00e9,DC=x');
    assert.deepEqual(values(first, 'objectClass'), ['top', 'user']);
    assert.deepEqual(values(first, 'member'), ['CN=A,DC=x', 'CN=B,DC=x']);
    assert.deepEqual(values(first, 'thumbnailPhoto'), [Buffer.from([0, 1, 2])]);
    assert.deepEqual(values(first, 'description'), ['']);
    assert.equal(first?.attributes.has('version'), false);
    assert.equal(first?.line, 4);
    assert.deepEqual(first?.errors, []);
    assert.equal(second?.dn, 'CN=Second,DC=x');
  });

  it('keeps bad base64 and colon-less lines as record errors, not throws', async () => {
    const [rec] = await records('dn: CN=Bad,DC=x\nobjectGUID:: not*base64\njust text\ncn: ok');
    assert.equal(rec?.errors.length, 2);
    assert.match(rec?.errors[0] ?? '', /line 2: objectGUID is not valid base64/);
    assert.match(rec?.errors[1] ?? '', /line 3: expected "attribute: value"/);
    assert.deepEqual(values(rec, 'cn'), ['ok']);
  });

  it('skips ldapsearch search references and result trailers, and refuses a file that is not LDIF', async () => {
    const recs = await records('dn: CN=A,DC=x\ncn: A\n\n# search reference\nref: ldap://x/DC=y\n\n# search result\nsearch: 2\nresult: 0 Success\n');
    assert.deepEqual(recs.map((r) => r.dn), ['CN=A,DC=x']);
    await assert.rejects(records('name,mail\njsmith,j@x.test\n'), (err: unknown) => err instanceof LdifSyntaxError && err.line === 1);
    await assert.rejects(records(' leading continuation'), LdifSyntaxError);
  });

  it('reports change records with their changetype', async () => {
    const [add, mod] = await records('dn: CN=A,DC=x\nchangetype: add\ncn: A\n\ndn: CN=B,DC=x\nchangetype: modify\nreplace: mail\nmail: b@x\n-\n');
    assert.equal(add?.changetype, 'add');
    assert.equal(mod?.changetype, 'modify');
    assert.deepEqual(mod?.errors, []);
  });
});

describe('directory LDIF: text decoding', () => {
  it('decodes UTF-16LE with a BOM (ldifde -u) and strips a UTF-8 BOM, even when chunks split characters', async () => {
    const text = 'dn: CN=Chlo\u00e9\r\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const bytewise = Array.from(utf16, (b) => Buffer.from([b]));
    assert.equal((await collect(decodeText(bytewise))).join(''), text);
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    assert.equal((await collect(decodeText([utf8.subarray(0, 2), utf8.subarray(2, 13), utf8.subarray(13)]))).join(''), text);
    assert.equal((await collect(decodeText([Buffer.from('a')]))).join(''), 'a', 'a file shorter than a BOM');
  });
});

describe('directory LDIF: exports from ldapsearch and ldifde', () => {
  let expected: Expected[];
  let tmp: string;

  before(async () => {
    expected = JSON.parse(await readFile(path.join(FIXTURES, 'expected.json'), 'utf8')) as Expected[];
    tmp = await mkdtemp(path.join(tmpdir(), 'hps-ldif-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function check(users: OnPremUser[]): Promise<void> {
    assert.deepEqual(users.map((u) => u.sAMAccountName).sort(), expected.map((e) => e.sAMAccountName).sort(), 'users only: no OU, group or computer');
    for (const e of expected) {
      const u = users.find((x) => x.sAMAccountName === e.sAMAccountName);
      assert.ok(u, e.sAMAccountName);
      assert.equal(u.readError, undefined, `${e.sAMAccountName}: ${u.readError}`);
      assert.equal(u.dn, e.dn);
      assert.equal(u.objectGuid, e.objectGuid);
      assert.equal(u.immutableId, e.objectGuidBase64);
      assert.equal(u.userPrincipalName, e.userPrincipalName);
      assert.equal(u.mail, e.mail ?? undefined);
      assert.equal(u.displayName, e.displayName);
      assert.equal(u.employeeId, e.employeeId ?? undefined);
      assert.equal(u.disabled, e.disabled);
      assert.equal(u.uSNChanged, BigInt(e.uSNChanged));
      assert.equal(u.msExchRecipientTypeDetails, e.msExchRecipientTypeDetails === null ? undefined : BigInt(e.msExchRecipientTypeDetails));
      if (e.photoFile === null) {
        assert.equal(u.photo, undefined, e.sAMAccountName);
      } else {
        assert.equal(u.photo?.origin, e.photoOrigin);
        assert.deepEqual(u.photo?.bytes, await readFile(path.join(FIXTURES, 'photos', e.photoFile)), `${e.sAMAccountName} photo bytes`);
      }
    }
  }

  for (const file of ['ldapsearch-LLL.ldif', 'ldapsearch-full.ldif', 'ldifde-export.ldif']) {
    it(`reads ${file}`, async () => {
      const src = new LdifDirectorySource({ file: path.join(FIXTURES, file) });
      await check(await collect(src.users()));
      await src.close();
    });
  }

  it('the ldifde fixture really has CRLF line ends and the ldapsearch one folded lines (guards the fixtures)', async () => {
    const de = await readFile(path.join(FIXTURES, 'ldifde-export.ldif'), 'utf8');
    assert.ok(de.includes('\r\nchangetype: add\r\n'));
    const lll = await readFile(path.join(FIXTURES, 'ldapsearch-LLL.ldif'), 'utf8');
    assert.ok(lll.split('\n').filter((l) => l.startsWith(' ')).length > 20);
    assert.ok(lll.split('\n').every((l) => l.length <= 76));
  });

  it('reads an ldifde -u export (UTF-16LE with BOM)', async () => {
    const text = await readFile(path.join(FIXTURES, 'ldifde-export.ldif'), 'utf8');
    const file = path.join(tmp, 'unicode.ldif');
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await check(await collect(new LdifDirectorySource({ file }).users()));
  });

  it('picks one user by any identifier, and follows the photo order', async () => {
    const src = new LdifDirectorySource({ file: path.join(FIXTURES, 'ldifde-export.ldif'), photoOrder: ['jpegPhoto', 'thumbnailPhoto'] });
    const dan = expected.find((e) => e.sAMAccountName === 'ddisabled') as Expected;
    for (const only of [
      { by: 'sAMAccountName', value: 'DDISABLED' },
      { by: 'userPrincipalName', value: dan.userPrincipalName },
      { by: 'objectGuid', value: dan.objectGuid },
      { by: 'objectGuid', value: dan.objectGuidBase64 },
    ] as const) {
      const found = await collect(src.users({ only }));
      assert.deepEqual(found.map((u) => u.sAMAccountName), ['ddisabled'], JSON.stringify(only));
      assert.equal(found[0]?.photo?.origin, 'jpegPhoto');
      assert.deepEqual(found[0]?.photo?.bytes, await readFile(path.join(FIXTURES, 'photos', 'ddisabled-jpeg.jpg')));
    }
    const chloe = await collect(src.users({ only: { by: 'mail', value: 'chloe.dubois@example.test' } }));
    assert.equal(chloe[0]?.displayName, 'Chlo\u00e9 Dubois');
    assert.deepEqual(await collect(src.users({ only: { by: 'mail', value: 'nobody@example.test' } })), []);
  });

  it('gives a bad record a readError and goes on', async () => {
    const file = path.join(tmp, 'bad.ldif');
    await writeFile(
      file,
      'dn: CN=Bad,DC=x\nobjectClass: user\nobjectGUID:: AAEC\nsAMAccountName: bad\n\n' +
        'dn: CN=Good,DC=x\nobjectClass: user\nobjectGUID:: MyIRAFVEd2aImaq7zN3u/w==\nsAMAccountName: good\nthumbnailPhoto:: %%%\n',
    );
    const users = await collect(new LdifDirectorySource({ file }).users());
    assert.equal(users.length, 2);
    assert.match(users[0]?.readError ?? '', /objectGUID is 3 bytes/);
    assert.equal(users[1]?.objectGuid, '00112233-4455-6677-8899-aabbccddeeff');
    assert.match(users[1]?.readError ?? '', /line 10: thumbnailPhoto is not valid base64/);
  });

  it('says which file is missing or not LDIF', async () => {
    await assert.rejects(collect(new LdifDirectorySource({ file: path.join(tmp, 'nope.ldif') }).users()), (err: unknown) => {
      return err instanceof DirectoryError && /Cannot read the LDIF file .*nope\.ldif/.test(err.message);
    });
    const csv = path.join(tmp, 'users.csv');
    await writeFile(csv, 'name,mail\n');
    await assert.rejects(collect(new LdifDirectorySource({ file: csv }).users()), (err: unknown) => {
      return err instanceof LdifSyntaxError && err.message.includes('users.csv');
    });
  });

  it('streams: users arrive before the file has been read to the end', async () => {
    const rec = (i: number): string =>
      `dn: CN=U${i},DC=x\nobjectClass: user\nobjectGUID:: ${Buffer.alloc(16, i).toString('base64')}\nsAMAccountName: u${i}\n\n`;
    let chunksRead = 0;
    async function* slowFile(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i += 1) {
        chunksRead += 1;
        yield Buffer.from(rec(i));
      }
    }
    const src = new LdifDirectorySource({ file: 'virtual.ldif', open: () => slowFile() });
    let seen = 0;
    for await (const u of src.users()) {
      assert.equal(u.sAMAccountName, `u${seen}`);
      seen += 1;
      if (seen === 3) break;
    }
    assert.equal(seen, 3);
    assert.ok(chunksRead < 1000, `read ${chunksRead} of 1000 chunks for 3 users`);
  });
});

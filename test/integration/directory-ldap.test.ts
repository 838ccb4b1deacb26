/**
 * The LDAP directory source against the shared Samba AD DC: LDAPS with CA verification on, paging, incremental
 * reads, single-user lookups (escaping on the wire), group filters and the bind/TLS error messages.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Attribute, Change, Client, type ClientOptions, type SearchOptions } from 'ldapts';
import type { OnPremUser } from '../../src/model.js';
import { DirectoryAuthError, DirectoryConnectError } from '../../src/directory/errors.js';
import { openLdapSource, type LdapConfig, type LdapDirectorySource, type LdapDeps } from '../../src/directory/ldap.js';
import type { UserSelector } from '../../src/directory/source.js';
import { withLdap } from '../../mocks/samba-ad/ldap.js';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { modifyUserPhoto, ouDn, seedDirectory, type SeededUser, type SeedUser } from '../../mocks/samba-ad/seed.js';
import { sambaOrSkip } from '../support/world.js';
import { collect } from '../support/json.js';

/** This file's own OU on the shared DC. */
const OU = 'T-directory-ldap';
const PAGE = 7;

/** JPEG-looking random bytes: distinct per user, so any mix-up shows. */
function photo(size: number): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 6), Buffer.from([0xff, 0xd9])]);
}

function bySam(users: OnPremUser[]): Map<string, OnPremUser> {
  return new Map(users.map((u) => [u.sAMAccountName?.toLowerCase() ?? '', u]));
}

describe('directory LDAP source against Samba AD', function () {
  let dc: SambaDc;
  let base: string;
  let seed: SeedUser[];
  let seeded: SeededUser[];
  const opened: LdapDirectorySource[] = [];

  function config(over: Partial<LdapConfig> = {}): LdapConfig {
    return {
      url: dc.ldapsUrl,
      bindDn: dc.bindDn,
      password: dc.bindPassword,
      baseDn: base,
      pageSize: PAGE,
      tls: { caFile: dc.caCertPath },
      ...over,
    };
  }

  async function open(over: Partial<LdapConfig> = {}, deps: LdapDeps = {}): Promise<LdapDirectorySource> {
    const src = await openLdapSource(config(over), { logger: { warn: () => undefined }, ...deps });
    opened.push(src);
    return src;
  }

  before(async function () {
    this.timeout(180_000);
    dc = await sambaOrSkip(this);
    base = ouDn(dc.baseDn, OU);
    seed = [];
    for (let i = 0; i < 26; i += 1) {
      const sam = `dl-user${String(i).padStart(2, '0')}`;
      const u: SeedUser = {
        ou: `${OU}/${i % 2 === 0 ? 'Even' : 'Odd'}`,
        sAMAccountName: sam,
        userPrincipalName: `${sam}@corp.example.test`,
        mail: `${sam}@example.test`,
        displayName: `Directory User ${i}`,
        employeeID: `E${1000 + i}`,
        disabled: i % 9 === 4,
      };
      if (i % 3 !== 2) u.thumbnailPhoto = photo(i === 0 ? 100_000 : 2_000 + i * 97);
      if (i % 4 === 1) u.jpegPhoto = [photo(30_000 + i), photo(5_000 + i)];
      if (i % 5 === 0) u.msExchRecipientTypeDetails = '2147483648';
      seed.push(u);
    }
    // Values that need escaping in a filter: AD allows ( ) in sAMAccountName but not * (the seed refuses it, as AD
    // does), so * goes into mail; a look-alike user would match if * were sent unescaped. Non-ASCII in the UPN.
    seed.push(
      { ou: `${OU}/Odd`, sAMAccountName: 'pat(x)', userPrincipalName: 'pat.x@corp.example.test', mail: 'star*user@example.test', thumbnailPhoto: photo(1234) },
      { ou: `${OU}/Odd`, sAMAccountName: 'patx', userPrincipalName: 'patx@corp.example.test', mail: 'starXuser@example.test' },
      { ou: `${OU}/Odd`, sAMAccountName: 'jorg', userPrincipalName: 'j\u00f6rg.m\u00fcller@corp.example.test', mail: 'jorg@example.test' },
      { ou: `${OU}/Even`, sAMAccountName: 'backslash', userPrincipalName: 'back\\slash@corp.example.test', jpegPhoto: [photo(777)] },
    );
    seeded = await seedDirectory(dc, { users: seed });
  });

  after(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });

  it('reads every seeded user back over LDAPS with verification on: photos byte for byte, GUIDs as seeded', async () => {
    const users = bySam(await collect((await open()).users()));
    assert.equal(users.size, seed.length);
    seed.forEach((s, i) => {
      const u = users.get(s.sAMAccountName.toLowerCase());
      assert.ok(u, s.sAMAccountName);
      const want = seeded[i] as SeededUser;
      assert.equal(u.readError, undefined, `${s.sAMAccountName}: ${u.readError}`);
      assert.equal(u.objectGuid, want.objectGuid);
      assert.equal(u.immutableId, want.immutableId);
      assert.equal(u.dn, want.dn);
      assert.equal(u.userPrincipalName, s.userPrincipalName);
      assert.equal(u.mail, s.mail);
      assert.equal(u.displayName, s.displayName);
      assert.equal(u.employeeId, s.employeeID);
      assert.equal(u.disabled, s.disabled === true);
      assert.equal(u.msExchRecipientTypeDetails, s.msExchRecipientTypeDetails === undefined ? undefined : BigInt(s.msExchRecipientTypeDetails));
      assert.equal(typeof u.uSNChanged, 'bigint');
      const thumb = s.thumbnailPhoto as Buffer | undefined;
      const jpeg = s.jpegPhoto?.[0] as Buffer | undefined;
      if (thumb) assert.deepEqual(u.photo, { origin: 'thumbnailPhoto', bytes: thumb }, s.sAMAccountName);
      else if (jpeg) assert.deepEqual(u.photo, { origin: 'jpegPhoto', bytes: jpeg }, s.sAMAccountName);
      else assert.equal(u.photo, undefined, s.sAMAccountName);
    });
  });

  it('pages with a small page size, one page at a time', async () => {
    const pages: number[] = [];
    const counting = (o: ClientOptions): Client => {
      const c = new Client(o);
      const original = c.searchPaginated.bind(c);
      c.searchPaginated = async function* (b: string, opts?: SearchOptions) {
        for await (const page of original(b, opts)) {
          pages.push(page.searchEntries.length);
          yield page;
        }
      };
      return c;
    };
    const src = await open({}, { createClient: counting });
    let seen = 0;
    for await (const _u of src.users()) {
      seen += 1;
      assert.ok(pages.length <= Math.ceil(seen / PAGE) + 1, `${pages.length} pages fetched after ${seen} users`);
    }
    assert.equal(seen, seed.length);
    assert.ok(pages.length >= Math.ceil(seed.length / PAGE), `pages: ${pages.join(',')}`);
    assert.ok(pages.every((n) => n <= PAGE), `pages: ${pages.join(',')}`);
  });

  it('reads only the users changed after a mark', async () => {
    const src = await open();
    const mark = await src.directoryMark();
    assert.match(mark.invocationId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(mark.usn > 0n);
    assert.deepEqual(await collect(src.users({ since: mark })), [], 'nothing changed yet');

    const newThumb = photo(3333);
    const newJpeg = photo(4444);
    await modifyUserPhoto(dc, (seeded[3] as SeededUser).dn, 'thumbnailPhoto', newThumb);
    await modifyUserPhoto(dc, (seeded[6] as SeededUser).dn, 'jpegPhoto', [newJpeg]);

    const changed = await collect(src.users({ since: mark }));
    assert.deepEqual(changed.map((u) => u.objectGuid).sort(), [seeded[3]?.objectGuid, seeded[6]?.objectGuid].sort());
    const three = changed.find((u) => u.objectGuid === seeded[3]?.objectGuid);
    assert.deepEqual(three?.photo, { origin: 'thumbnailPhoto', bytes: newThumb });
    assert.ok((three?.uSNChanged ?? 0n) > mark.usn);
    const later = await src.directoryMark();
    assert.equal(later.invocationId, mark.invocationId);
    assert.ok(later.usn >= (three?.uSNChanged ?? 0n));

    const other = await collect(src.users({ since: { invocationId: '00000000-0000-0000-0000-000000000000', usn: later.usn } }));
    assert.equal(other.length, seed.length, 'a mark from another DC database means a full read');
  });

  it('looks a user up by each identifier, escaping values on the wire', async () => {
    const src = await open();
    const one = async (only: UserSelector): Promise<string[]> => (await collect(src.users({ only }))).map((u) => u.sAMAccountName ?? '?');
    const u5 = seeded[5] as SeededUser;
    assert.deepEqual(await one({ by: 'sAMAccountName', value: 'DL-USER05' }), ['dl-user05']);
    assert.deepEqual(await one({ by: 'userPrincipalName', value: 'dl-user05@corp.example.test' }), ['dl-user05']);
    assert.deepEqual(await one({ by: 'mail', value: 'dl-user05@example.test' }), ['dl-user05']);
    assert.deepEqual(await one({ by: 'objectGuid', value: u5.objectGuid }), ['dl-user05']);
    assert.deepEqual(await one({ by: 'objectGuid', value: u5.immutableId }), ['dl-user05']);
    assert.deepEqual(await one({ by: 'sAMAccountName', value: 'pat(x)' }), ['pat(x)']);
    assert.deepEqual(await one({ by: 'mail', value: 'star*user@example.test' }), ['pat(x)'], '* is a literal, not a wildcard');
    assert.deepEqual(await one({ by: 'userPrincipalName', value: 'j\u00f6rg.m\u00fcller@corp.example.test' }), ['jorg']);
    assert.deepEqual(await one({ by: 'userPrincipalName', value: 'back\\slash@corp.example.test' }), ['backslash']);
    assert.deepEqual(await one({ by: 'sAMAccountName', value: 'dl-user*' }), []);
    assert.deepEqual(await one({ by: 'objectGuid', value: '00000000-0000-0000-0000-000000000001' }), []);
  });

  it('filters by group membership, nested by default', async () => {
    const groups = ouDn(dc.baseDn, `${OU}/Groups`);
    const outer = `CN=dl-outer (all),${groups}`;
    const inner = `CN=dl-inner,${groups}`;
    const s = (i: number): string => (seeded[i] as SeededUser).dn;
    await withLdap(dc, async (c) => {
      await c.add(groups, { objectClass: ['top', 'organizationalUnit'], ou: 'Groups' });
      await c.add(inner, { objectClass: ['top', 'group'], sAMAccountName: 'dl-inner', member: [s(1), s(2)] });
      await c.add(outer, { objectClass: ['top', 'group'], sAMAccountName: 'dl-outer', member: [s(3), inner] });
    });
    const sams = async (over: Partial<LdapConfig>): Promise<string[]> =>
      (await collect((await open(over)).users())).map((u) => u.sAMAccountName ?? '?').sort();
    assert.deepEqual(await sams({ groupDn: outer }), ['dl-user01', 'dl-user02', 'dl-user03']);
    assert.deepEqual(await sams({ groupDn: outer, nestedGroups: false }), ['dl-user03']);
    await withLdap(dc, (c) => c.modify(inner, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [s(2)] }) })));
    assert.deepEqual(await sams({ groupDn: outer }), ['dl-user01', 'dl-user03']);
  });

  it('works over StartTLS on port 389 too', async () => {
    const url = `ldap://${dc.host}:389`;
    const users = await collect((await open({ url, startTls: true })).users({ only: { by: 'sAMAccountName', value: 'dl-user01' } }));
    assert.deepEqual(users.map((u) => u.objectGuid), [seeded[1]?.objectGuid]);
  });

  it('says "wrong password" for a bad password', async () => {
    await assert.rejects(open({ password: `${dc.bindPassword}-wrong` }), (err: unknown) => {
      assert.ok(err instanceof DirectoryAuthError, String(err));
      assert.match(err.message, /refused the bind .*wrong user name or password/);
      return true;
    });
  });

  it('explains an untrusted certificate and how to fix it', async () => {
    await assert.rejects(open({ tls: {} }), (err: unknown) => {
      assert.ok(err instanceof DirectoryConnectError, String(err));
      assert.equal(err.reason, 'tls-verify');
      assert.match(err.message, /does not trust the DC's certificate/);
      assert.match(err.message, /directory\.caFile/);
      return true;
    });
  });

  it('says when the server is unreachable or the port is not LDAPS', async () => {
    await assert.rejects(open({ url: `ldaps://${dc.host}:1` }), (err: unknown) => {
      assert.ok(err instanceof DirectoryConnectError, String(err));
      assert.equal(err.reason, 'unreachable');
      return true;
    });
    await assert.rejects(open({ url: `ldaps://${dc.host}:389` }), (err: unknown) => {
      assert.ok(err instanceof DirectoryConnectError, String(err));
      assert.match(err.message, /389 is plain LDAP; LDAPS is usually 636/);
      return true;
    });
  });
});

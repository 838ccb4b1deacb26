/**
 * The AD photo writer against the real Samba AD DC: binary values written and read back byte for byte, cleared,
 * the schema's 102,400-byte limit enforced by the DC, and the permission story: a bind account without delegation is
 * refused with advice; after the documented delegation (Write thumbnailPhoto on user objects) it may write
 * thumbnailPhoto, and still not jpegPhoto.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { delegateAttributeWrite, sidOf } from '../../mocks/samba-ad/acl.js';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { ouDn, seedDirectory } from '../../mocks/samba-ad/seed.js';
import { openLdapPhotoWriter, type LdapPhotoWriter } from '../../src/directory/ldap-writer.js';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';
import { sambaOrSkip } from '../support/world.js';

const OU = 'T-ad-writer';
const SVC_PASSWORD = 'Svc-Photo-Passw0rd!';

describe('AD photo writer (LDAP modify) against Samba AD', function () {
  this.timeout(180_000);
  let dc: SambaDc;
  let admin: LdapPhotoWriter;
  let target: string;
  let svcDn: string;
  const writers: LdapPhotoWriter[] = [];

  const open = async (bindDn: string, password: string): Promise<LdapPhotoWriter> => {
    const w = await openLdapPhotoWriter({ url: dc.ldapsUrl, bindDn, password, tls: { caFile: dc.caCertPath } }, { logger: { warn: () => undefined } });
    writers.push(w);
    return w;
  };

  before(async function () {
    dc = await sambaOrSkip(this);
    const seeded = await seedDirectory(dc, {
      users: [
        { ou: OU, sAMAccountName: 'adw-svc', userPrincipalName: 'adw-svc@corp.example.test', password: SVC_PASSWORD },
        { ou: `${OU}/Staff`, sAMAccountName: 'adw-target', userPrincipalName: 'adw-target@corp.example.test' },
      ],
    });
    svcDn = seeded[0]!.dn;
    target = seeded[1]!.dn;
    admin = await open(dc.bindDn, dc.bindPassword);
  });

  after(async () => {
    await Promise.all(writers.map((w) => w.close()));
  });

  it('writes thumbnailPhoto and jpegPhoto as bytes in one modify, reads them back, clears them', async () => {
    const thumb = realPhoto('cameraman.jpg');
    const full = realPhoto('raccoon.jpg');
    assert.deepEqual(await admin.write(target, { thumbnailPhoto: thumb, jpegPhoto: full }), { dn: target, ok: true });
    const back = await admin.read(target);
    assert.ok(back.thumbnailPhoto?.equals(thumb));
    assert.ok(back.jpegPhoto?.equals(full));
    assert.equal((await admin.write(target, { thumbnailPhoto: null, jpegPhoto: null })).ok, true);
    assert.deepEqual(await admin.read(target), {});
    assert.equal((await admin.write(target, { thumbnailPhoto: null })).ok, true, 'clearing an empty attribute is fine');
  });

  it('the DC refuses a thumbnailPhoto over 102,400 bytes: a per-user ValueRejected result, nothing half-written', async () => {
    const over = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(102_401 - 6), Buffer.from([0xff, 0xd9])]);
    assert.equal(over.length, 102_401);
    const r = await admin.write(target, { thumbnailPhoto: over, jpegPhoto: realPhoto('coffee.jpg') });
    assert.equal(r.ok, false);
    assert.equal(r.errorId, 'ValueRejected');
    assert.match(r.advice ?? '', /102,400 bytes/);
    assert.deepEqual(await admin.read(target), {}, 'the jpegPhoto of the same modify was not written either');
    const atLimit = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(102_400 - 6), Buffer.from([0xff, 0xd9])]);
    assert.equal((await admin.write(target, { thumbnailPhoto: atLimit })).ok, true, '102,400 bytes exactly is allowed');
    assert.equal((await admin.write(target, { thumbnailPhoto: null })).ok, true);
  });

  it('without delegation the bind account is refused with advice; after "Write thumbnailPhoto" on the OU it may write that, not jpegPhoto', async () => {
    const svc = await open('adw-svc@corp.example.test', SVC_PASSWORD);
    const photo = realPhoto('grace-hopper.jpg');
    const denied = await svc.write(target, { thumbnailPhoto: photo });
    assert.equal(denied.errorId, 'InsufficientAccess');
    assert.match(denied.advice ?? '', /delegate "Write thumbnailPhoto".*docs\/permissions\.md/);

    await delegateAttributeWrite(dc, ouDn(dc.baseDn, OU), await sidOf(dc, svcDn), 'thumbnailPhoto');
    assert.deepEqual(await svc.write(target, { thumbnailPhoto: photo }), { dn: target, ok: true });
    assert.ok((await admin.read(target)).thumbnailPhoto?.equals(photo));
    const jpeg = await svc.write(target, { jpegPhoto: photo });
    assert.equal(jpeg.errorId, 'InsufficientAccess');
    assert.match(jpeg.advice ?? '', /Write jpegPhoto/);
  });
});

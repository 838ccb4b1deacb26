import assert from 'node:assert/strict';
import { RECIPIENT_TYPE } from '../../src/model.js';
import { mapEntry, type RawEntry } from '../../src/directory/mapping.js';

const GUID_BYTES = Buffer.from([0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
const GUID_STRING = '00112233-4455-6677-8899-aabbccddeeff';
const THUMB = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
const JPEG1 = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 4, 5, 6, 0xff, 0xd9]);
const JPEG2 = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 7, 8, 9, 0xff, 0xd9]);

/** An entry shaped like ldapts returns it: single values unwrapped, missing requested attributes as []. */
function entry(over: Record<string, RawEntry[string]> = {}): RawEntry {
  return {
    dn: 'CN=Alice Archer,OU=Staff,DC=corp,DC=example,DC=test',
    objectGUID: GUID_BYTES,
    sAMAccountName: 'aarcher',
    userPrincipalName: 'aarcher@corp.example.test',
    mail: 'alice@example.test',
    displayName: 'Alice Archer',
    employeeID: '000101',
    userAccountControl: '512',
    uSNChanged: '24577',
    msExchRecipientTypeDetails: '2147483648',
    thumbnailPhoto: THUMB,
    jpegPhoto: [JPEG1, JPEG2],
    ...over,
  };
}

describe('directory mapping: entry → OnPremUser', () => {
  it('takes onPremisesImmutableId from mS-DS-ConsistencyGuid when set (Entra Connect source anchor)', () => {
    const anchor = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const u = mapEntry({ dn: 'CN=Moved,DC=corp', objectGUID: GUID_BYTES, 'mS-DS-ConsistencyGuid': anchor });
    assert.equal(u.objectGuid, GUID_STRING);
    assert.equal(u.immutableId, anchor.toString('base64'));
    const bad = mapEntry({ dn: 'CN=Bad,DC=corp', objectGUID: GUID_BYTES, 'ms-ds-consistencyguid': Buffer.alloc(3) });
    assert.equal(bad.immutableId, GUID_BYTES.toString('base64'));
    assert.match(bad.readError ?? '', /mS-DS-ConsistencyGuid is 3 bytes/);
  });

  it('maps every field, objectGUID to canonical string and immutableId', () => {
    const u = mapEntry(entry());
    assert.equal(u.dn, 'CN=Alice Archer,OU=Staff,DC=corp,DC=example,DC=test');
    assert.equal(u.objectGuid, GUID_STRING);
    assert.equal(u.immutableId, GUID_BYTES.toString('base64'));
    assert.equal(u.sAMAccountName, 'aarcher');
    assert.equal(u.userPrincipalName, 'aarcher@corp.example.test');
    assert.equal(u.mail, 'alice@example.test');
    assert.equal(u.displayName, 'Alice Archer');
    assert.equal(u.employeeId, '000101');
    assert.equal(u.disabled, false);
    assert.equal(u.uSNChanged, 24577n);
    assert.equal(u.msExchRecipientTypeDetails, RECIPIENT_TYPE.remoteUserMailbox);
    assert.equal(u.readError, undefined);
  });

  it('finds attributes whatever case the server spelt them in', () => {
    const u = mapEntry({ dn: 'CN=x', objectguid: GUID_BYTES, SAMACCOUNTNAME: 'x', ThumbnailPhoto: THUMB });
    assert.equal(u.objectGuid, GUID_STRING);
    assert.equal(u.sAMAccountName, 'x');
    assert.deepEqual(u.photo, { origin: 'thumbnailPhoto', bytes: THUMB });
  });

  it('prefers thumbnailPhoto, then the first jpegPhoto, and records the origin', () => {
    assert.deepEqual(mapEntry(entry()).photo, { origin: 'thumbnailPhoto', bytes: THUMB });
    assert.deepEqual(mapEntry(entry({ thumbnailPhoto: [] })).photo, { origin: 'jpegPhoto', bytes: JPEG1 });
    assert.deepEqual(mapEntry(entry({ thumbnailPhoto: Buffer.alloc(0) })).photo, { origin: 'thumbnailPhoto', bytes: Buffer.alloc(0) }, 'an empty value is an (empty, so unusable) photo, not "no photo"');
    assert.deepEqual(mapEntry(entry({ thumbnailPhoto: [], jpegPhoto: JPEG2 })).photo, { origin: 'jpegPhoto', bytes: JPEG2 });
    assert.equal(mapEntry(entry({ thumbnailPhoto: [], jpegPhoto: [] })).photo, undefined);
  });

  it('refuses a photo value over 25 MiB as that user’s error (LDAP as well as LDIF)', () => {
    const u = mapEntry(entry({ thumbnailPhoto: Buffer.alloc(25 * 1024 * 1024 + 1) }));
    assert.equal(u.photo, undefined);
    assert.match(u.readError ?? '', /thumbnailPhoto is 26214401 bytes, over the 26214400-byte limit for a photo/);
  });

  it('follows a configured photo order', () => {
    const u = mapEntry(entry(), { photoOrder: ['jpegPhoto', 'thumbnailPhoto'] });
    assert.deepEqual(u.photo, { origin: 'jpegPhoto', bytes: JPEG1 });
    assert.equal(mapEntry(entry(), { photoOrder: ['jpegPhoto'] }).photo?.bytes, JPEG1);
    assert.equal(mapEntry(entry({ jpegPhoto: [] }), { photoOrder: ['jpegPhoto'] }).photo, undefined);
  });

  it('reads ACCOUNTDISABLE (bit 2) of userAccountControl', () => {
    assert.equal(mapEntry(entry({ userAccountControl: '514' })).disabled, true);
    assert.equal(mapEntry(entry({ userAccountControl: '66050' })).disabled, true, '0x10202: disabled + never expires');
    assert.equal(mapEntry(entry({ userAccountControl: '66048' })).disabled, false);
    assert.equal(mapEntry(entry({ userAccountControl: [] })).disabled, undefined);
  });

  it('keeps big integers exact as bigint', () => {
    const u = mapEntry(entry({ uSNChanged: '123456789012345678901', msExchRecipientTypeDetails: '1' }));
    assert.equal(u.uSNChanged, 123456789012345678901n);
    assert.equal(u.msExchRecipientTypeDetails, RECIPIENT_TYPE.userMailbox);
  });

  it('decodes text that arrived as bytes (LDIF base64) as UTF-8', () => {
    const u = mapEntry(entry({ displayName: Buffer.from('Chlo\u00e9 Dubois', 'utf8') }));
    assert.equal(u.displayName, 'Chlo\u00e9 Dubois');
  });

  it('accepts an objectGUID written as canonical text', () => {
    const u = mapEntry(entry({ objectGUID: `{${GUID_STRING.toUpperCase()}}` }));
    assert.equal(u.objectGuid, GUID_STRING);
    assert.equal(u.immutableId, GUID_BYTES.toString('base64'));
  });

  it('turns bad values into readError and still maps the rest', () => {
    const short = mapEntry(entry({ objectGUID: GUID_BYTES.subarray(0, 15) }));
    assert.match(short.readError ?? '', /objectGUID is 15 bytes, expected 16/);
    assert.equal(short.objectGuid, '');
    assert.equal(short.immutableId, '');
    assert.equal(short.sAMAccountName, 'aarcher');
    assert.deepEqual(short.photo?.bytes, THUMB);

    assert.match(mapEntry(entry({ objectGUID: [] })).readError ?? '', /no objectGUID/);
    assert.match(mapEntry(entry({ objectGUID: 'garbage' })).readError ?? '', /objectGUID is text/);

    const badNumbers = mapEntry(entry({ uSNChanged: 'abc', userAccountControl: '5x' }));
    assert.match(badNumbers.readError ?? '', /uSNChanged is not an integer/);
    assert.match(badNumbers.readError ?? '', /userAccountControl is not an integer/);
    assert.equal(badNumbers.uSNChanged, undefined);
    assert.equal(badNumbers.disabled, undefined);
    assert.equal(badNumbers.objectGuid, GUID_STRING);

    const textPhoto = mapEntry(entry({ thumbnailPhoto: 'not bytes' }));
    assert.match(textPhoto.readError ?? '', /thumbnailPhoto came back as text/);
    assert.equal(textPhoto.photo?.origin, 'jpegPhoto');
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BerWriter, Client, Control } from 'ldapts';
import sharp from 'sharp';
import { guidBytesToString, guidToImmutableId } from '../../src/directory/guid.js';
import { SambaAddressInUseError } from '../../mocks/samba-ad/errors.js';
import { startSambaDc, type SambaDc } from '../../mocks/samba-ad/samba.js';
import { modifyUserPhoto, ouDn, seedDirectory, type SeededUser } from '../../mocks/samba-ad/seed.js';
import { sambaOrSkip } from '../support/world.js';

/** This file's own OU on the shared DC (other test files use theirs). */
const OU = 'T-samba-ad';

/** LDAP_SERVER_EXTENDED_DN_OID with flag 1: the server prints <GUID=…> in canonical string form. */
class ExtendedDnControl extends Control {
  constructor() {
    super('1.2.840.113556.1.4.529', { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(1);
    value.endSequence();
    writer.writeBuffer(value.buffer, 4);
  }
}

/** Deterministic noise JPEG no larger than `maxBytes` (side grown until the next step would overshoot). */
async function noiseJpeg(maxBytes: number, seed: number): Promise<Buffer> {
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) & 255;
  };
  const encode = (side: number): Promise<Buffer> => {
    const raw = Buffer.alloc(side * side * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = rand();
    return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  };
  let best = await encode(8);
  for (let side = 16; side <= 512; side += 8) {
    const next = await encode(side);
    if (next.length > maxBytes) break;
    best = next;
  }
  assert.ok(best.length <= maxBytes, `smallest noise JPEG is ${best.length} bytes, over ${maxBytes}`);
  return best;
}

/** A JPEG of exactly `bytes` bytes: a noise JPEG padded after its EOI marker (decoders ignore trailing bytes). */
async function jpegOfSize(bytes: number, seed: number): Promise<Buffer> {
  const jpeg = await noiseJpeg(bytes, seed);
  return Buffer.concat([jpeg, Buffer.alloc(bytes - jpeg.length)]);
}

async function gradientJpeg(side: number, tint: number): Promise<Buffer> {
  const raw = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = (y * side + x) * 3;
      raw[i] = (x * 255) / side;
      raw[i + 1] = (y * 255) / side;
      raw[i + 2] = tint;
    }
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('integration: Samba AD DC (mocks/samba-ad)', function () {
  let dc: SambaDc;
  let client: Client;
  let seeded: SeededUser[];
  let thumb: Buffer;
  let jpegs: Buffer[];

  const byName = (name: string): SeededUser => {
    const u = seeded.find((s) => s.sAMAccountName === name);
    assert.ok(u, `seeded user ${name}`);
    return u;
  };

  async function readUser(dn: string, attributes: string[]): Promise<Record<string, unknown>> {
    const res = await client.search(dn, { scope: 'base', attributes, explicitBufferAttributes: ['thumbnailPhoto', 'jpegPhoto', 'objectGUID'] });
    assert.equal(res.searchEntries.length, 1);
    return res.searchEntries[0] as Record<string, unknown>;
  }

  before(async function () {
    this.timeout(120000);
    dc = await sambaOrSkip(this);
    // Verification on: only the DC's exported CA is trusted, and the host name (the IP) is checked.
    client = new Client({ url: dc.ldapsUrl, timeout: 20000, tlsOptions: { ca: [await readFile(dc.caCertPath)], rejectUnauthorized: true } });
    await client.bind(dc.bindDn, dc.bindPassword);
    thumb = await gradientJpeg(96, 40);
    jpegs = [await gradientJpeg(200, 120), await gradientJpeg(160, 220)];
    seeded = await seedDirectory(dc, {
      users: [
        { ou: `${OU}/Sales`, sAMAccountName: 'sa-alice', displayName: 'Alice', mail: 'alice@corp.example.test', thumbnailPhoto: thumb, msExchRecipientTypeDetails: '2147483648' },
        { ou: `${OU}/Sales`, sAMAccountName: 'sa-bob', displayName: 'Bob', jpegPhoto: jpegs, msExchRecipientTypeDetails: 1, employeeID: 'E-2' },
        { ou: `${OU}/Leavers`, sAMAccountName: 'sa-carol', disabled: true, password: 'Carol-Passw0rd!' },
        { ou: `${OU}/Sales`, sAMAccountName: 'sa-dave', password: 'Dave-Passw0rd!' },
      ],
    });
  });

  after(async function () {
    await client?.unbind().catch(() => undefined);
  });

  it('serves LDAPS with a certificate that verifies for the IP only against the exported CA', async function () {
    const untrusting = new Client({ url: dc.ldapsUrl, connectTimeout: 5000, tlsOptions: { rejectUnauthorized: true } });
    await assert.rejects(untrusting.bind(dc.bindDn, dc.bindPassword), (err: Error & { code?: string }) => {
      assert.match(`${err.code} ${err.message}`, /certificate|self.signed|UNABLE_TO_VERIFY|issuer/i);
      return true;
    });
    await untrusting.unbind().catch(() => undefined);
    const info = await readUser('', ['defaultNamingContext']);
    assert.equal(String(info['defaultNamingContext']), dc.baseDn);
  });

  it('reads a seeded thumbnailPhoto back byte-identical over LDAPS', async function () {
    const entry = await readUser(byName('sa-alice').dn, ['thumbnailPhoto']);
    const got = entry['thumbnailPhoto'];
    assert.ok(Buffer.isBuffer(got));
    assert.equal(got.length, thumb.length);
    assert.ok(got.equals(thumb));
    assert.equal((await sharp(got).metadata()).format, 'jpeg');
  });

  it('round-trips a multi-valued jpegPhoto (seed, replace, remove)', async function () {
    const dn = byName('sa-bob').dn;
    const values = (e: Record<string, unknown>): string[] => [e['jpegPhoto'] ?? []].flat().map((b) => sha(b as Buffer)).sort();
    assert.deepEqual(values(await readUser(dn, ['jpegPhoto'])), jpegs.map(sha).sort());

    const three = [...jpegs, await gradientJpeg(64, 10)];
    await modifyUserPhoto(dc, dn, 'jpegPhoto', three);
    assert.deepEqual(values(await readUser(dn, ['jpegPhoto'])), three.map(sha).sort());

    await modifyUserPhoto(dc, dn, 'jpegPhoto', null);
    assert.deepEqual(values(await readUser(dn, ['jpegPhoto'])), []);
  });

  it('enforces the thumbnailPhoto size limit (rangeUpper 102400): 120,000 bytes rejected, 5,000 accepted', async function () {
    const dn = byName('sa-dave').dn;
    const schema = await client.search(`CN=Schema,CN=Configuration,${dc.baseDn}`, { scope: 'one', filter: '(lDAPDisplayName=thumbnailPhoto)', attributes: ['rangeUpper'] });
    const rangeUpper = Number(schema.searchEntries[0]?.['rangeUpper']);
    assert.equal(rangeUpper, 102400);

    const small = await jpegOfSize(5000, 7);
    assert.equal(small.length, 5000);
    await modifyUserPhoto(dc, dn, 'thumbnailPhoto', small);
    assert.ok((await readUser(dn, ['thumbnailPhoto']))['thumbnailPhoto'] instanceof Buffer);

    const atLimit = await jpegOfSize(rangeUpper, 8);
    await modifyUserPhoto(dc, dn, 'thumbnailPhoto', atLimit);
    assert.equal(((await readUser(dn, ['thumbnailPhoto']))['thumbnailPhoto'] as Buffer).length, rangeUpper);

    for (const size of [rangeUpper + 1, 120000]) {
      const big = await jpegOfSize(size, size);
      assert.equal(big.length, size);
      await assert.rejects(modifyUserPhoto(dc, dn, 'thumbnailPhoto', big), (err: Error & { code?: number }) => {
        assert.equal(err.code, 21, `LDAP result for ${size} bytes: ${err.message}`); // invalidAttributeSyntax
        return true;
      });
      // The rejected write left the previous value in place.
      assert.ok(((await readUser(dn, ['thumbnailPhoto']))['thumbnailPhoto'] as Buffer).equals(atLimit));
    }
  });

  it('stores and reads back msExchRecipientTypeDetails (schema extension)', async function () {
    assert.equal(String((await readUser(byName('sa-alice').dn, ['msExchRecipientTypeDetails']))['msExchRecipientTypeDetails']), '2147483648');
    const bob = byName('sa-bob').dn;
    assert.equal(String((await readUser(bob, ['msExchRecipientTypeDetails']))['msExchRecipientTypeDetails']), '1');
    const { Attribute, Change } = await import('ldapts');
    await client.modify(bob, new Change({ operation: 'replace', modification: new Attribute({ type: 'msExchRecipientTypeDetails', values: ['2147483648'] }) }));
    assert.equal(String((await readUser(bob, ['msExchRecipientTypeDetails']))['msExchRecipientTypeDetails']), '2147483648');
  });

  it("matches seedDirectory's objectGUID with the server's own GUID string and raw bytes", async function () {
    for (const user of seeded) {
      const res = await client.search(user.dn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] }, new ExtendedDnControl());
      const entry = res.searchEntries[0];
      assert.ok(entry);
      const serverGuid = /^<GUID=([0-9a-f-]{36})>/i.exec(entry.dn)?.[1];
      assert.ok(serverGuid, `extended DN carries <GUID=…>: ${entry.dn}`);
      assert.equal(user.objectGuid, serverGuid.toLowerCase());
      const raw = entry['objectGUID'] as Buffer;
      assert.equal(guidBytesToString(raw), user.objectGuid);
      assert.equal(guidToImmutableId(raw), user.immutableId);
      assert.equal(Buffer.from(user.immutableId, 'base64').toString('hex'), raw.toString('hex'));
    }
  });

  it('sets userAccountControl and passwords from the seed', async function () {
    assert.equal(String((await readUser(byName('sa-carol').dn, ['userAccountControl']))['userAccountControl']), '514');
    assert.equal(String((await readUser(byName('sa-dave').dn, ['userAccountControl']))['userAccountControl']), '512');
    const ca = await readFile(dc.caCertPath);
    const asDave = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [ca] } });
    await asDave.bind('sa-dave@corp.example.test', 'Dave-Passw0rd!');
    await asDave.unbind();
    const asDaveWrong = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [ca] } });
    await assert.rejects(asDaveWrong.bind('sa-dave@corp.example.test', 'wrong-Passw0rd!'), (err: Error & { code?: number }) => err.code === 49);
    await asDaveWrong.unbind().catch(() => undefined);
  });

  it('seeds 250 users in one go', async function () {
    this.timeout(30000);
    const users = Array.from({ length: 250 }, (_, i) => ({
      ou: `${OU}/Bulk/Part${i % 3}`,
      sAMAccountName: `sa-bulk${i}`,
      mail: `bulk${i}@corp.example.test`,
      thumbnailPhoto: thumb,
      msExchRecipientTypeDetails: i % 2 === 0 ? 1 : 2147483648,
    }));
    const started = Date.now();
    const result = await seedDirectory(dc, { users });
    const elapsed = Date.now() - started;
    assert.equal(result.length, 250);
    assert.deepEqual(result.map((r) => r.sAMAccountName), users.map((u) => u.sAMAccountName));
    assert.equal(new Set(result.map((r) => r.objectGuid)).size, 250);
    const listed = await client.search(ouDn(dc.baseDn, `${OU}/Bulk`), { scope: 'sub', filter: '(objectClass=user)', attributes: ['sAMAccountName'], paged: { pageSize: 100 } });
    assert.equal(listed.searchEntries.length, 250);
    process.stderr.write(`      (250 users seeded in ${elapsed} ms)\n`);
  });

  it('refuses to start a second DC on an address already in use', async function () {
    await assert.rejects(startSambaDc({ host: dc.host }), SambaAddressInUseError);
  });
});

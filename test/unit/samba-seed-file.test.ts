import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { escapeDnValue, ouChain, ouDn } from '../../mocks/samba-ad/dn.js';
import { SeedError } from '../../mocks/samba-ad/errors.js';
import { LineTail } from '../../mocks/samba-ad/exec.js';
import { loadSeedFile, parseSeed } from '../../mocks/samba-ad/seed-file.js';
import { userDn } from '../../mocks/samba-ad/seed.js';

const BASE = 'DC=corp,DC=example,DC=test';

describe('mocks/samba-ad seed helpers', () => {
  it('maps OU slash paths to DNs, innermost first, parents created first', () => {
    assert.equal(ouDn(BASE, 'Staff/Sales'), `OU=Sales,OU=Staff,${BASE}`);
    assert.deepEqual(ouChain(BASE, 'A/B/C').map((o) => o.dn), [`OU=A,${BASE}`, `OU=B,OU=A,${BASE}`, `OU=C,OU=B,OU=A,${BASE}`]);
    assert.deepEqual(ouChain(BASE, 'A/B').map((o) => o.name), ['A', 'B']);
    assert.throws(() => ouDn(BASE, 'A//B'));
    assert.throws(() => ouDn(BASE, ''));
  });

  it('escapes RDN values (RFC 4514)', () => {
    assert.equal(escapeDnValue('Smith, John'), 'Smith\\, John');
    assert.equal(escapeDnValue('#hash'), '\\#hash');
    assert.equal(escapeDnValue(' lead'), '\\ lead');
    assert.equal(escapeDnValue('a+b=c'), 'a\\+b\\=c');
    assert.equal(userDn(BASE, { ou: 'R&D, Labs', sAMAccountName: 'jdoe' }), `CN=jdoe,OU=R&D\\, Labs,${BASE}`);
  });

  it('validates seeds: unknown fields, duplicate names and bad recipient types are refused', () => {
    assert.deepEqual(parseSeed({ users: [{ ou: 'X', sAMAccountName: 'a', msExchRecipientTypeDetails: 1 }] }).users[0]?.msExchRecipientTypeDetails, 1);
    assert.throws(() => parseSeed({ users: [{ ou: 'X', sAMAccountName: 'a', thumbnail: 'x.jpg' }] }), SeedError);
    assert.throws(() => parseSeed({ users: [{ ou: 'X', sAMAccountName: 'a' }, { ou: 'Y', sAMAccountName: 'A' }] }), /appears twice/);
    assert.throws(() => parseSeed({ users: [{ ou: 'X', sAMAccountName: 'a', msExchRecipientTypeDetails: 'remote' }] }), SeedError);
    assert.throws(() => parseSeed({ users: [{ ou: 'X', sAMAccountName: 'this-name-is-longer-than-20' }] }), SeedError);
    assert.throws(() => parseSeed({}), SeedError);
  });

  it('loads a seed file and reports its folder as baseDir', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seed-file-'));
    try {
      const file = path.join(dir, 'seed.json');
      await writeFile(file, JSON.stringify({ users: [{ ou: 'Staff', sAMAccountName: 'al', thumbnailPhoto: 'photos/al.jpg' }] }));
      const { seed, baseDir } = await loadSeedFile(file);
      assert.equal(baseDir, dir);
      assert.equal(seed.users[0]?.thumbnailPhoto, 'photos/al.jpg');
      await writeFile(file, '{ not json');
      await assert.rejects(loadSeedFile(file), SeedError);
      await assert.rejects(loadSeedFile(path.join(dir, 'missing.json')), SeedError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the last lines of a log, across chunk boundaries', () => {
    const seen: string[] = [];
    const tail = new LineTail(2, (l) => seen.push(l));
    tail.push('one\ntw');
    tail.push('o\nthree\nfou');
    assert.deepEqual(seen, ['one', 'two', 'three']);
    assert.equal(tail.text(), 'two\nthree\nfou');
  });
});

/**
 * `hps ad import` / `hps ad remove` against the real Samba AD DC: a folder of real photographs named by three
 * patterns (accented names, one file that fits two users), the automatch lists, writes within 100 KB that read back
 * as the same picture, a rerun that writes nothing, a 120 KB input shrunk (never refused by the DC), removal, and an
 * audit line for every write.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { distinctPhoto, realPhoto } from '../../mocks/fixtures/photos/generate.js';
import { withLdap } from '../../mocks/samba-ad/ldap.js';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { ouDn, seedDirectory, type SeedUser } from '../../mocks/samba-ad/seed.js';
import { fitPhoto } from '../../src/photo/fit.js';
import { comparePhotos } from '../../src/photo/index.js';
import { runHps } from '../support/cli.js';
import { sambaOrSkip } from '../support/world.js';

const OU = 'T-ad-import';
const DOMAIN = 'adimport.example.test';
const PATTERNS = ['{sAMAccountName}.{ext}', '{givenName}.{sn}.{ext}', 'emp-{employeeID}.{ext}'];

interface Json {
  automatch: {
    matched: Array<{ file: string; user: { sAMAccountName: string } }>;
    filesWithoutUser: string[];
    usersWithoutFile: Array<{ sAMAccountName: string }>;
    ambiguousFiles: Array<{ file: string; users: Array<{ sAMAccountName: string }> }>;
    ambiguousUsers: Array<{ user: { sAMAccountName: string }; files: string[] }>;
  };
  plan: Array<{ user: { sAMAccountName: string }; status: string; action: string; candidate: { bytes: number; side: number; quality: number } | null }>;
  summary: { set: number; delete: number; overwrite: number; errors: number };
  written: { ok: number; failed: number } | null;
  refused: string | null;
}

describe('hps ad import / remove against Samba AD', function () {
  this.timeout(240_000);
  let dc: SambaDc;
  let dir: string;
  let folder: string;
  let configPath: string;
  let env: Record<string, string>;
  const files = new Map<string, Buffer>();
  let big: Buffer;

  const user = (sam: string, extra: Partial<SeedUser> = {}): SeedUser => ({ ou: OU, sAMAccountName: sam, userPrincipalName: `${sam}@${DOMAIN}`, ...extra });
  const dnOf = (sam: string): string => `CN=${sam},${ouDn(dc.baseDn, OU)}`;
  const thumbnailOf = (sam: string): Promise<Buffer | undefined> =>
    withLdap(dc, async (c) => {
      const r = await c.search(dnOf(sam), { scope: 'base', attributes: ['thumbnailPhoto'], explicitBufferAttributes: ['thumbnailPhoto'] });
      const v = r.searchEntries[0]?.['thumbnailPhoto'];
      return Buffer.isBuffer(v) ? v : undefined;
    });
  const hps = (...args: string[]): ReturnType<typeof runHps> => runHps(['ad', ...args, '--config', configPath], { env });
  const importJson = async (...args: string[]): Promise<{ code: number; json: Json; stderr: string }> => {
    const r = await hps('import', '--format', 'json', ...args);
    return { code: r.code, stderr: r.stderr, json: JSON.parse(r.stdout || '{}') as Json };
  };
  const sams = (xs: Array<{ sAMAccountName: string }>): string[] => xs.map((x) => x.sAMAccountName).sort();

  before(async function () {
    dc = await sambaOrSkip(this);
    big = await sharp(realPhoto('raccoon.jpg')).jpeg({ quality: 98, chromaSubsampling: '4:4:4' }).toBuffer();
    assert.ok(big.length > 120_000, `the large input is ${big.length} bytes`);
    await seedDirectory(dc, {
      users: [
        user('adi-hopper'), // by sAMAccountName
        user('adi-raccoon'), // by sAMAccountName, a 120 KB+ file
        user('adi-eboucher', { givenName: 'Élodie', sn: 'Boucher' }), // accented given name, file without accent
        user('adi-jmuller', { givenName: 'Jürgen', sn: 'Müller' }), // umlauts, file spelled ue
        user('adi-collins', { employeeID: '004711' }), // by employee ID
        user('adi-old', { thumbnailPhoto: await sharp(realPhoto('cameraman.jpg')).resize(96, 96).jpeg({ quality: 70 }).toBuffer() }),
        user('adi-other', { thumbnailPhoto: await distinctPhoto(7, { size: 200 }) }),
        user('adi-aberg1', { givenName: 'Anna', sn: 'Berg' }),
        user('adi-aberg2', { givenName: 'Anna', sn: 'Berg' }),
        user('adi-nofile', { thumbnailPhoto: await distinctPhoto(8, { size: 120 }) }),
        user('adi-twofiles', { employeeID: '004799' }),
      ],
    });
    env = { HPS_LDAP_PASSWORD: dc.bindPassword };
    dir = await mkdtemp(join(tmpdir(), 'hps-ad-import-'));
    folder = join(dir, 'photos');
    const put = async (name: string, bytes: Buffer): Promise<void> => {
      files.set(name, bytes);
      await writeFile(join(folder, name), bytes);
    };
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    await put('adi-hopper.jpg', realPhoto('grace-hopper.jpg'));
    await put('ADI-Raccoon.jpg', big);
    await put('elodie.boucher.jpg', realPhoto('chelsea-cat.jpg'));
    await put('Juergen.Mueller.png', await sharp(realPhoto('rocket.jpg')).png().toBuffer());
    await put('emp-004711.jpeg', realPhoto('astronaut-eileen-collins.jpg'));
    await put('adi-old.jpg', realPhoto('cameraman.jpg'));
    await put('adi-other.jpg', realPhoto('coffee.jpg'));
    await put('anna.berg.jpg', await distinctPhoto(3));
    await put('emp-004799.jpg', await distinctPhoto(4));
    await put('adi-twofiles.jpg', await distinctPhoto(5));
    await put('stranger.jpg', await distinctPhoto(6));
    await writeFile(join(folder, 'readme.txt'), 'not a photo');
    configPath = join(dir, 'hybrid-photo-sync.config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        directory: { type: 'ldap', url: dc.ldapsUrl, bindDn: dc.bindDn, baseDn: ouDn(dc.baseDn, OU), caFile: dc.caCertPath },
        photoFolder: { path: folder, pattern: PATTERNS[0] },
        cloud: { tenantId: 'unused', clientId: 'unused' },
        state: { path: join(dir, 'state.db'), auditLog: join(dir, 'audit.jsonl') },
      }),
    );
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const patternArgs = PATTERNS.flatMap((p) => ['--pattern', p]);

  it('automatch: right lists for three patterns, accents, a file fitting two users and a user with two files', async () => {
    const { code, json } = await importJson('--match-only', ...patternArgs);
    assert.equal(code, 0);
    const a = json.automatch;
    assert.deepEqual(
      a.matched.map((m) => [m.file, m.user.sAMAccountName]).sort(),
      [
        ['ADI-Raccoon.jpg', 'adi-raccoon'], ['Juergen.Mueller.png', 'adi-jmuller'], ['adi-hopper.jpg', 'adi-hopper'], ['adi-old.jpg', 'adi-old'],
        ['adi-other.jpg', 'adi-other'], ['elodie.boucher.jpg', 'adi-eboucher'], ['emp-004711.jpeg', 'adi-collins'],
      ].sort(),
    );
    assert.deepEqual(a.filesWithoutUser, ['stranger.jpg']);
    assert.deepEqual(sams(a.usersWithoutFile), ['adi-nofile']);
    assert.deepEqual(a.ambiguousFiles.map((x) => [x.file, sams(x.users)]), [['anna.berg.jpg', ['adi-aberg1', 'adi-aberg2']]]);
    assert.deepEqual(a.ambiguousUsers.map((x) => [x.user.sAMAccountName, x.files]), [['adi-twofiles', ['adi-twofiles.jpg', 'emp-004799.jpg']]]);
    assert.equal(json.written, null);
    assert.equal(await thumbnailOf('adi-hopper'), undefined, 'match-only writes nothing');
  });

  it('dry run: plans the writes, writes nothing', async () => {
    const { code, json } = await importJson('--dry-run', ...patternArgs);
    assert.equal(code, 0);
    assert.equal(json.summary.set, 7);
    assert.equal(json.summary.overwrite, 2, 'adi-old (same picture, 96 px) and adi-other (another picture)');
    const status = new Map(json.plan.map((d) => [d.user.sAMAccountName, d.status]));
    assert.equal(status.get('adi-old'), 'smaller-in-ad');
    assert.equal(status.get('adi-other'), 'drifted');
    assert.equal(status.get('adi-hopper'), 'missing-in-ad');
    assert.equal(await thumbnailOf('adi-hopper'), undefined);
  });

  it('html preview: the source with the square drawn on it next to what AD would get, for every planned user', async () => {
    const out = join(dir, 'plan.html');
    const r = await hps('import', '--dry-run', '--format', 'html', '--out', out, ...patternArgs);
    assert.equal(r.code, 0, r.stderr);
    const html = await readFile(out, 'utf8');
    assert.equal(html.match(/<img alt="source" width="200" src="data:image\/jpeg;base64,/g)?.length, 7);
    assert.equal(html.match(/<img alt="result" width="128" height="128" src="data:image\/jpeg;base64,/g)?.length, 7);
    // Grace Hopper (512×600): the square sits 88 px down, drawn at 200/512 scale.
    assert.match(html, /adi-hopper\.jpg<\/small>.*?<div class="crop" style="left:0px;top:34px;width:200px;height:200px">/s);
    assert.match(html, /anna\.berg\.jpg → adi-aberg1@adimport\.example\.test, adi-aberg2@adimport\.example\.test|anna\.berg\.jpg → adi-aberg2@adimport\.example\.test, adi-aberg1@adimport\.example\.test/);
    assert.equal(await thumbnailOf('adi-hopper'), undefined);
  });

  it('imports: each matched user within 100 KB, read back as the same picture; the 120 KB input shrunk, not refused', async () => {
    const { code, json, stderr } = await importJson(...patternArgs);
    assert.equal(code, 0, stderr);
    assert.deepEqual(json.written, { ok: 7, failed: 0, failures: [] });
    for (const m of json.automatch.matched) {
      const back = await thumbnailOf(m.user.sAMAccountName);
      assert.ok(back, `${m.user.sAMAccountName} has a thumbnailPhoto`);
      assert.ok(back.length <= 102_400, `${m.user.sAMAccountName}: ${back.length} bytes`);
      const meta = await sharp(back).metadata();
      assert.equal(meta.width, meta.height, 'square');
      assert.equal(meta.exif, undefined, 'no metadata');
      const fitted = await fitPhoto(files.get(m.file) as Buffer);
      assert.ok(back.equals(fitted.jpeg), `${m.user.sAMAccountName}: AD holds exactly the fitted photo`);
      assert.ok((await comparePhotos(back, fitted.jpeg)).same);
    }
    const raccoon = json.plan.find((d) => d.user.sAMAccountName === 'adi-raccoon');
    assert.ok(raccoon?.candidate && raccoon.candidate.bytes <= 102_400 && raccoon.candidate.side === 600, JSON.stringify(raccoon?.candidate));
    assert.ok((await thumbnailOf('adi-raccoon'))!.length < big.length);
    for (const sam of ['adi-aberg1', 'adi-aberg2', 'adi-twofiles']) assert.equal(await thumbnailOf(sam), undefined, `${sam} is ambiguous: not written`);
    assert.ok(await thumbnailOf('adi-nofile'), 'without --remove-missing, a user without a file keeps the AD photo');

    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const writes = audit.filter((l) => l['result'] === 'ok');
    assert.equal(writes.length, 7);
    for (const l of writes) {
      assert.equal(l['target'], 'active-directory');
      assert.equal(l['attributes'], 'thumbnailPhoto');
      assert.equal(l['action'], 'set');
    }
    assert.equal(audit.filter((l) => l['result'] === 'dry-run').length, 14, 'both dry runs (table and html) are in the audit log too');
  });

  it('a rerun writes nothing: everyone is in sync', async () => {
    const { code, json } = await importJson(...patternArgs);
    assert.equal(code, 0);
    assert.equal(json.summary.set, 0, JSON.stringify(json.plan.filter((d) => d.action !== 'skip')));
    assert.deepEqual(json.written, { ok: 0, failed: 0, failures: [] });
    assert.ok(json.plan.filter((d) => d.status === 'in-sync').length === 7);
  });

  it('--max-bytes 10KB: every thumbnail over the budget is planned again within 10 KB', async () => {
    const { code, json } = await importJson('--max-bytes', '10KB', '--dry-run', ...patternArgs);
    assert.equal(code, 0);
    assert.equal(json.summary.set, 7);
    for (const d of json.plan) {
      assert.equal(d.status, 'over-budget', d.user.sAMAccountName);
      assert.ok(d.candidate && d.candidate.bytes <= 10_240, JSON.stringify(d.candidate));
    }
  });

  it('remove clears one user, and --remove-missing clears users without a file; both audited', async () => {
    const removed = await hps('remove', 'adi-hopper');
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /adi-hopper@adimport\.example\.test: cleared thumbnailPhoto/);
    assert.equal(await thumbnailOf('adi-hopper'), undefined);
    const again = await hps('remove', `adi-hopper@${DOMAIN}`);
    assert.match(again.stdout, /nothing to remove/);
    assert.equal((await hps('remove', 'adi-nobody')).code, 2);

    const { code, json } = await importJson('--remove-missing', ...patternArgs);
    assert.equal(code, 0);
    assert.equal(json.summary.delete, 1);
    assert.equal(await thumbnailOf('adi-nofile'), undefined);
    assert.ok(await thumbnailOf('adi-hopper'), 'the removed user with a file is written again');
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const deletes = audit.filter((l) => l['action'] === 'delete' && l['result'] === 'ok');
    assert.deepEqual(deletes.map((l) => l['dn']).sort(), [dnOf('adi-hopper'), dnOf('adi-nofile')].sort());
  });
});

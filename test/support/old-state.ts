/**
 * Installs a state file made by an earlier version (test/fixtures/state-hash-only) into a test world that replays
 * the tenant it was made in. What ties a state to one tenant instance is re-pointed, nothing else is touched:
 * - objectGUIDs (Samba makes new ones at every seeding) and DNs, by UPN;
 * - the directory mark: this DC as it is now (an upgrade in place: the same DC, nothing changed in it since the old
 *   version's last run), and the old runs' times moved to just before the upgrade (an hour ago);
 * - cloud etags (the emulator makes new ones), after checking that the cloud holds byte for byte the photo the old
 *   run left there, and the source photos are the ones the old run read.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openLdapSource } from '../../src/directory/ldap.js';
import { directoryKey } from '../../src/state/keys.js';
import { CLIENT_ID, CLIENT_SECRET, type HybridWorld, type WorldUser } from './hybrid-world.js';
import { trustLocalCa } from './tls.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The cloud photo's etag as Graph's photo metadata gives it (app token from the emulator's token endpoint). */
export async function graphPhotoEtags(world: HybridWorld, upns: readonly string[]): Promise<Map<string, string>> {
  const trust = trustLocalCa(world.emu.caCertPath);
  try {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' });
    const token = ((await (await trust.fetch(`${world.emu.authority}/oauth2/v2.0/token`, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
    const etags = new Map<string, string>();
    for (const upn of upns) {
      const res = await trust.fetch(`${world.emu.graphBaseUrl}/v1.0/users/${upn}/photo`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, `photo metadata of ${upn}`);
      etags.set(upn, ((await res.json()) as { '@odata.mediaEtag': string })['@odata.mediaEtag']);
    }
    return etags;
  } finally {
    await trust.close();
  }
}

interface Fixture {
  madeAt: string;
  cloudPhotoSha256: Record<string, string>;
}

/** Copies `fixtureDir`/state.db to the world's state path and re-points it at this world (see the file comment). */
export async function installOldState(fixtureDir: string, world: HybridWorld, users: readonly WorldUser[]): Promise<void> {
  const fixture = JSON.parse(readFileSync(join(fixtureDir, 'cloud.json'), 'utf8')) as Fixture;
  const statePath = join(world.dir, 'state.db');
  copyFileSync(join(fixtureDir, 'state.db'), statePath);
  chmodSync(statePath, 0o600);
  const db = new Database(statePath);
  try {
    const rows = db.prepare('select upn, source_sha256 from users').all() as { upn: string; source_sha256: string | null }[];
    assert.equal(rows.length, users.length, 'one state row per directory user');
    // The replay holds the photos the old run saw: the same source bytes, the same cloud bytes.
    for (const u of users) {
      const row = rows.find((r) => r.upn === world.upn(u.sam));
      assert.equal(row?.source_sha256 ?? null, u.thumbnailPhoto && u.cloud ? sha256(u.thumbnailPhoto) : null, `${u.sam}'s source photo`);
    }
    for (const [upn, want] of Object.entries(fixture.cloudPhotoSha256)) {
      const stored = world.emu.control.getStoredPhoto(upn);
      assert.ok(stored && sha256(stored) === want, `${upn}: the replayed cloud photo is the one the old run left`);
    }
    const cfg = JSON.parse(readFileSync(world.configPath, 'utf8')) as { directory: { url: string; baseDn: string } };
    const mark = await currentMark(world, cfg.directory);
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    db.prepare('update directory_marks set directory_key = ?, invocation_id = ?, usn = ?, mark_at = ?, last_full_run_at = ?').run(
      directoryKey(cfg.directory.url, cfg.directory.baseDn), mark.invocationId, mark.usn.toString(), anHourAgo, anHourAgo,
    );
    const repoint = db.prepare('update users set object_guid = ?, dn = ? where upn = ?');
    for (const u of users) {
      const seeded = world.seeded.get(u.sam);
      assert.ok(seeded);
      repoint.run(seeded.objectGuid.toLowerCase(), seeded.dn, world.upn(u.sam));
    }
    const etags = await graphPhotoEtags(world, Object.keys(fixture.cloudPhotoSha256));
    for (const [upn, etag] of etags) {
      const old = db.prepare('select last_cloud_etag_seen as e from users where upn = ?').get(upn) as { e: string };
      for (const col of ['cloud_etag_after_push', 'last_cloud_etag_seen', 'cloud_phash_etag']) {
        db.prepare(`update users set ${col} = ? where upn = ? and ${col} = ?`).run(etag, upn, old.e);
      }
    }
  } finally {
    db.close();
  }
}

/** The DC's high-water mark now, as the tool reads it. */
async function currentMark(world: HybridWorld, directory: { url: string; baseDn: string }): Promise<{ invocationId: string; usn: bigint }> {
  const src = await openLdapSource(
    { url: directory.url, bindDn: world.dc.bindDn, password: world.dc.bindPassword, baseDn: directory.baseDn, tls: { caFile: world.dc.caCertPath } },
    { logger: { warn: () => undefined } },
  );
  try {
    return await src.directoryMark();
  } finally {
    await src.close();
  }
}

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LdifDirectorySource } from '../../src/directory/ldif.js';
import type { OnPremUser } from '../../src/model.js';
import { fingerprint } from '../../src/photo/fingerprint.js';
import type { EmulatorState } from '../../mocks/graph-emulator/index.js';
import { cloudOnlyCount, userSpec } from '../../bench/mix.js';
import { loadPhotoPool, type PhotoPool } from '../../bench/photo-pool.js';
import { guidOf, upnOf } from '../../bench/ldif.js';
import { writeTenant, type Tenant } from '../../bench/tenant.js';

describe('bench/tenant: the synthetic tenant as the product reads it', function () {
  this.timeout(30_000);
  const USERS = 300;
  let dir: string;
  let pool: PhotoPool;
  let tenant: Tenant;
  let users: OnPremUser[];
  let state: EmulatorState;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-tenant-test-'));
    pool = await loadPhotoPool({ size: 3, cacheRoot: join(dir, 'cache') });
    tenant = await writeTenant(dir, USERS, pool);
    users = [];
    for await (const u of new LdifDirectorySource({ file: tenant.ldifPath }).users()) users.push(u);
    state = JSON.parse(await readFile(tenant.statePath, 'utf8')) as EmulatorState;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reuses the cached pool on the next load', async () => {
    assert.equal(pool.generated, true);
    const again = await loadPhotoPool({ size: 3, cacheRoot: join(dir, 'cache') });
    assert.equal(again.generated, false);
    assert.ok(again.thumbnail(2, 96).equals(pool.thumbnail(2, 96)));
  });

  it('writes every on-prem user, readable by the LDIF directory reader, with its objectGUID', () => {
    assert.equal(users.length, USERS);
    users.forEach((u, i) => {
      assert.equal(u.readError, undefined, `user ${i}: ${u.readError}`);
      assert.equal(u.objectGuid, guidOf(i));
      assert.equal(u.userPrincipalName, upnOf(i));
    });
  });

  it('puts the pooled thumbnail in thumbnailPhoto, none where the mix says none, and a truncated one for corrupt users', async () => {
    for (const [i, u] of users.entries()) {
      const spec = userSpec(i, pool.size);
      if (spec.sourcePicture === undefined) {
        assert.equal(u.photo, undefined, `user ${i}`);
        continue;
      }
      assert.equal(u.photo?.origin, 'thumbnailPhoto');
      if (spec.corrupt) {
        assert.ok(u.photo?.bytes.equals(pool.corrupt(spec.sourcePicture)));
        await assert.rejects(fingerprint(u.photo.bytes));
      } else {
        assert.ok(u.photo?.bytes.equals(pool.thumbnail(spec.sourcePicture, spec.thumbSide)), `user ${i}`);
      }
    }
  });

  it('anchors cloud users to their on-prem objectGUID, except the UPN-matched ones and cloud-only accounts', () => {
    const byUpn = new Map(state.users.map((c) => [c.userPrincipalName.toLowerCase(), c]));
    const matched = users.filter((_, i) => userSpec(i, pool.size).cloud !== undefined).length;
    assert.equal(state.users.length, matched + cloudOnlyCount(USERS));
    assert.equal(tenant.cloudUsers, state.users.length);
    for (const [i, u] of users.entries()) {
      const spec = userSpec(i, pool.size);
      const c = byUpn.get(upnOf(i));
      if (!spec.cloud) {
        assert.equal(c, undefined, `user ${i} should have no cloud account`);
        continue;
      }
      assert.ok(c, `user ${i} should have a cloud account`);
      assert.equal(c.onPremisesImmutableId, spec.cloud.anchored ? u.immutableId : null);
      assert.equal(c.photo, spec.cloud.picture === undefined ? null : pool.cloudPath(spec.cloud.picture));
      assert.equal(c.photoPlaceholder ?? false, spec.cloud.placeholder);
    }
  });
});

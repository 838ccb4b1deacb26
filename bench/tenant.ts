/**
 * Writes a synthetic hybrid tenant of N users into a folder: `directory.ldif` (the on-prem side, an AD export with
 * base64 thumbnailPhoto and objectGUID) and `tenant.json` (the Graph emulator's state file: the cloud side).
 * The mix of statuses is bench/mix.ts; the pictures come from bench/photo-pool.ts.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorState, EmulatorUser } from '../mocks/graph-emulator/index.js';
import { guidStringToBytes, guidToImmutableId } from '../src/directory/guid.js';
import { cloudOnlyCount, expectedSummary, userSpec, type ExpectedSummary, type ThumbSide } from './mix.js';
import { BENCH_DOMAIN, LDIF_HEADER, guidOf, ldifLine, upnOf, userEntry } from './ldif.js';
import type { PhotoPool } from './photo-pool.js';

export const BENCH_TENANT_ID = '0b3e5c1a-7d2f-4e86-9a4b-1c3d5e7f9a2b';
export const BENCH_CLIENT_ID = '5a7c9e1b-3d5f-4a6c-8e0b-2d4f6a8c0e1d';
/** Not a secret: the benchmark tenant lives in an emulator on 127.0.0.1 for the length of the run. */
export const BENCH_CLIENT_SECRET = 'bench-only-secret';

export interface Tenant {
  dir: string;
  users: number;
  ldifPath: string;
  statePath: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  expected: ExpectedSummary;
  cloudUsers: number;
  ldifBytes: number;
  /** Sum of the on-prem photo bytes (decoded): what holding every source photo at once would take. */
  sourcePhotoBytes: number;
  /** Sum of the cloud photo bytes a comparison downloads when nothing is remembered (report, first reconcile). */
  comparedCloudPhotoBytes: number;
  writeMs: number;
}

/** Buffered appends to one file. */
async function openAppender(path: string): Promise<{ add(text: string): Promise<void>; close(): Promise<number> }> {
  const fh = await open(path, 'w');
  let pending: string[] = [];
  let pendingLength = 0;
  let written = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingLength = 0;
    await fh.write(buf);
    written += buf.length;
  };
  return {
    async add(text) {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength > 1 << 20) await flush();
    },
    async close() {
      await flush();
      await fh.close();
      return written;
    },
  };
}

export async function writeTenant(dir: string, users: number, pool: PhotoPool): Promise<Tenant> {
  if (!Number.isInteger(users) || users < 1) throw new RangeError(`users must be a positive integer, got ${users}`);
  const t0 = performance.now();
  const ldifPath = join(dir, 'directory.ldif');
  const statePath = join(dir, 'tenant.json');
  // The folded thumbnailPhoto line of each (picture, side) is made once and shared.
  const lines = new Map<string, string>();
  const thumbLine = (picture: number, side: ThumbSide, corrupt: boolean): { line: string; bytes: number } => {
    const key = `${picture}/${side}/${corrupt ? 'c' : ''}`;
    const bytes = corrupt ? pool.corrupt(picture) : pool.thumbnail(picture, side);
    let line = lines.get(key);
    if (line === undefined) {
      line = ldifLine('thumbnailPhoto', bytes);
      lines.set(key, line);
    }
    return { line, bytes: bytes.length };
  };

  const ldif = await openAppender(ldifPath);
  await ldif.add(LDIF_HEADER);
  const cloud: EmulatorUser[] = [];
  let sourcePhotoBytes = 0;
  let comparedCloudPhotoBytes = 0;
  for (let i = 0; i < users; i++) {
    const spec = userSpec(i, pool.size);
    const guid = guidOf(i);
    let thumbnailLine: string | undefined;
    if (spec.sourcePicture !== undefined) {
      const t = thumbLine(spec.sourcePicture, spec.thumbSide, spec.corrupt);
      thumbnailLine = t.line;
      sourcePhotoBytes += t.bytes;
    }
    await ldif.add(`${userEntry({ index: i, guidBytes: guidStringToBytes(guid), ...(thumbnailLine ? { thumbnailLine } : {}) })}\n\n`);
    if (!spec.cloud) continue;
    if (spec.cloud.picture !== undefined && spec.sourcePicture !== undefined && !spec.corrupt) comparedCloudPhotoBytes += pool.cloudBytes(spec.cloud.picture);
    const upn = upnOf(i);
    cloud.push({
      userPrincipalName: upn,
      mail: upn,
      displayName: `Bench User ${String(i).padStart(6, '0')}`,
      onPremisesImmutableId: spec.cloud.anchored ? guidToImmutableId(guid) : null,
      onPremisesSyncEnabled: true,
      photo: spec.cloud.picture === undefined ? null : pool.cloudPath(spec.cloud.picture),
      ...(spec.cloud.placeholder ? { photoPlaceholder: true } : {}),
    });
  }
  const ldifBytes = await ldif.close();
  // Cloud-only accounts (service desks, guests converted to members…): in the cloud index, never on-prem.
  const extra = cloudOnlyCount(users);
  for (let j = 0; j < extra; j++) {
    const upn = `cloudonly${String(j).padStart(6, '0')}@${BENCH_DOMAIN}`;
    cloud.push({ userPrincipalName: upn, mail: upn, displayName: `Cloud Only ${j}`, onPremisesImmutableId: null, onPremisesSyncEnabled: null, photo: j % 2 === 0 ? pool.cloudPath(j % pool.size) : null });
  }
  const state: EmulatorState = {
    tenantId: BENCH_TENANT_ID,
    clients: [{ clientId: BENCH_CLIENT_ID, secret: BENCH_CLIENT_SECRET, roles: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'] }],
    users: cloud,
    photoUpdateSettings: { source: 'cloud' },
  };
  await writeFile(statePath, JSON.stringify(state));
  return {
    dir,
    users,
    ldifPath,
    statePath,
    tenantId: BENCH_TENANT_ID,
    clientId: BENCH_CLIENT_ID,
    clientSecret: BENCH_CLIENT_SECRET,
    expected: expectedSummary(users),
    cloudUsers: cloud.length,
    ldifBytes,
    sourcePhotoBytes,
    comparedCloudPhotoBytes,
    writeMs: performance.now() - t0,
  };
}

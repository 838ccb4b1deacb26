/**
 * A hybrid tenant for end-to-end tests: users seeded into the shared Samba AD DC (in the caller's own OU),
 * the matching cloud users in a fresh Graph emulator, and a config file that points the real CLI at both.
 * Cloud photos are set through the emulator, which re-encodes and resizes them as Microsoft 365 does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { derivedUserId } from '../../mocks/graph-emulator/state.js';
import { startEmulator, type EmulatorState, type FaultConfig, type RunningEmulator } from '../../mocks/graph-emulator/index.js';
import type { SambaDc } from '../../mocks/samba-ad/samba.js';
import { ouDn } from '../../mocks/samba-ad/dn.js';
import { seedDirectory, type SeededUser, type SeedUser } from '../../mocks/samba-ad/seed.js';

export const CLIENT_ID = '5a0c9e1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d';
export const CLIENT_SECRET = 'e2e-secret';
export const DOMAIN = 'hybrid.example.test';

export interface WorldUser {
  sam: string;
  thumbnailPhoto?: Buffer;
  jpegPhoto?: Buffer[];
  mailbox?: 'onprem' | 'cloud';
  /** The cloud side; absent = no cloud account. */
  cloud?: { photo?: Buffer; anchor?: boolean; upn?: string };
}

export interface HybridWorld {
  dc: SambaDc;
  emu: RunningEmulator;
  dir: string;
  configPath: string;
  env: Record<string, string>;
  ou: string;
  seeded: Map<string, SeededUser>;
  upn(sam: string): string;
  /** Graph photo writes to the user's cloud account so far (the emulator counts them by object id, not UPN). */
  writesOf(sam: string): number;
  close(): Promise<void>;
}

/** Writes the config of a test world: `directory`, the emulator as the cloud, state and audit in `dir`. */
export async function writeWorldConfig(
  dir: string,
  directory: Record<string, unknown>,
  emu: RunningEmulator,
  tenantId: string,
  extra?: Record<string, unknown>,
): Promise<string> {
  const config = {
    directory,
    cloud: { tenantId, clientId: CLIENT_ID, authorityHost: emu.baseUrl, graphBaseUrl: emu.baseUrl, caFile: emu.caCertPath },
    state: { path: join(dir, 'state.db'), auditLog: join(dir, 'audit.jsonl') },
    ...extra,
  };
  const configPath = join(dir, 'hybrid-photo-sync.config.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return configPath;
}

export async function buildHybridWorld(
  dc: SambaDc,
  ou: string,
  users: WorldUser[],
  opts: { faults?: FaultConfig; roles?: string[]; config?: Record<string, unknown> } = {},
): Promise<HybridWorld> {
  const upn = (sam: string): string => `${sam}@${DOMAIN}`;
  const seedUsers: SeedUser[] = users.map((u) => ({
    ou,
    sAMAccountName: u.sam,
    userPrincipalName: upn(u.sam),
    mail: upn(u.sam),
    displayName: u.sam,
    ...(u.thumbnailPhoto ? { thumbnailPhoto: u.thumbnailPhoto } : {}),
    ...(u.jpegPhoto ? { jpegPhoto: u.jpegPhoto } : {}),
    ...(u.mailbox ? { msExchRecipientTypeDetails: u.mailbox === 'onprem' ? 1 : '2147483648' } : {}),
  }));
  const seeded = await seedDirectory(dc, { users: seedUsers }, { concurrency: 4 });
  const bySam = new Map(seeded.map((s) => [s.sAMAccountName, s]));

  const state: EmulatorState = {
    tenantId: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
    clients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET, roles: opts.roles ?? ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'] }],
    users: users
      .filter((u) => u.cloud)
      .map((u) => ({
        userPrincipalName: u.cloud?.upn ?? upn(u.sam),
        mail: upn(u.sam),
        displayName: u.sam,
        onPremisesImmutableId: u.cloud?.anchor === false ? null : (bySam.get(u.sam)?.immutableId ?? null),
        onPremisesSyncEnabled: true,
        photo: null,
      })),
    photoUpdateSettings: { source: 'cloud' },
  };
  const emu = await startEmulator({ state, port: 0, ...(opts.faults ? { faults: opts.faults } : {}) });
  for (const u of users) if (u.cloud?.photo) await emu.control.setCloudPhoto(u.cloud.upn ?? upn(u.sam), u.cloud.photo);

  const dir = await mkdtemp(join(tmpdir(), 'hps-e2e-'));
  const directory = { type: 'ldap', url: dc.ldapsUrl, bindDn: dc.bindDn, baseDn: ouDn(dc.baseDn, ou), caFile: dc.caCertPath, pageSize: 50 };
  const configPath = await writeWorldConfig(dir, directory, emu, state.tenantId, opts.config);
  return {
    dc, emu, dir, configPath, ou, seeded: bySam, upn,
    writesOf: (sam) => {
      const cloudUpn = users.find((u) => u.sam === sam)?.cloud?.upn ?? upn(sam);
      return emu.control.writeCounts()[derivedUserId(state.tenantId, cloudUpn)] ?? 0;
    },
    env: { HPS_LDAP_PASSWORD: dc.bindPassword, HPS_CLIENT_SECRET: CLIENT_SECRET },
    async close() {
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

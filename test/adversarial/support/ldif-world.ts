/**
 * A small hybrid tenant for adversarial end-to-end cases without Samba: on-prem users in an LDIF file (so any
 * hostile value can be written, byte for byte), their cloud twins in a fresh Graph emulator, a config file for the
 * real CLI. Fast to build: each case gets its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorState, type FaultConfig, type RunningEmulator } from '../../../mocks/graph-emulator/index.js';
import { CLIENT_ID, CLIENT_SECRET, writeWorldConfig } from '../../support/hybrid-world.js';


export interface LdifUser {
  sam: string;
  /** Default `${sam}@adv.example.test`. May hold anything (control characters, quotes…). */
  upn?: string;
  thumbnailPhoto?: Buffer;
  jpegPhoto?: Buffer;
  /** Raw LDIF lines added to the record as they are (e.g. a hand-made hostile value). */
  extraLines?: string[];
  /** The cloud side; absent = no cloud account. */
  cloud?: { photo?: Buffer };
}

export interface LdifWorld {
  emu: RunningEmulator;
  dir: string;
  ldifPath: string;
  configPath: string;
  env: Record<string, string>;
  guid(sam: string): string;
  upn(u: LdifUser): string;
  close(): Promise<void>;
}

/** An LDIF attribute line for a value: base64 (`::`) unless plain safe ASCII. RFC 2849 folding at 76 columns. */
export function ldifLine(name: string, value: Buffer | string): string {
  const buf = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const safe = typeof value === 'string' && /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ');
  const line = safe ? `${name}: ${value}` : `${name}:: ${buf.toString('base64')}`;
  const out: string[] = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) out.push(` ${line.slice(i, i + 75)}`);
  return out.join('\n');
}

export async function buildLdifWorld(users: LdifUser[], opts: { faults?: FaultConfig; config?: Record<string, unknown> } = {}): Promise<LdifWorld> {
  const upn = (u: LdifUser): string => u.upn ?? `${u.sam}@adv.example.test`;
  const guids = new Map(users.map((u) => [u.sam, randomBytes(16)]));
  const records = users.map((u) => {
    const g = guids.get(u.sam) as Buffer;
    return [
      ldifLine('dn', `CN=${u.sam},OU=Adv,DC=adv,DC=example,DC=test`),
      'objectClass: user',
      ldifLine('objectGUID', g),
      ldifLine('sAMAccountName', u.sam),
      ldifLine('userPrincipalName', upn(u)),
      ldifLine('mail', `${u.sam}@adv.example.test`),
      ...(u.thumbnailPhoto ? [ldifLine('thumbnailPhoto', u.thumbnailPhoto)] : []),
      ...(u.jpegPhoto ? [ldifLine('jpegPhoto', u.jpegPhoto)] : []),
      ...(u.extraLines ?? []),
    ].join('\n');
  });
  const state: EmulatorState = {
    tenantId: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
    clients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET, roles: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'] }],
    users: users
      .filter((u) => u.cloud)
      .map((u) => ({
        userPrincipalName: `${u.sam}@adv.example.test`,
        mail: `${u.sam}@adv.example.test`,
        displayName: u.sam,
        onPremisesImmutableId: (guids.get(u.sam) as Buffer).toString('base64'),
        onPremisesSyncEnabled: true,
        photo: null,
      })),
    photoUpdateSettings: { source: 'cloud' },
  };
  const emu = await startEmulator({ state, port: 0, ...(opts.faults ? { faults: opts.faults } : {})});
  for (const u of users) if (u.cloud?.photo) await emu.control.setCloudPhoto(`${u.sam}@adv.example.test`, u.cloud.photo);
  const dir = await mkdtemp(join(tmpdir(), 'hps-adv-'));
  const ldifPath = join(dir, 'directory.ldif');
  await writeFile(ldifPath, `version: 1\n\n${records.join('\n\n')}\n`);
  const configPath = await writeWorldConfig(dir, { type: 'ldif', file: ldifPath }, emu, state.tenantId, opts.config);
  return {
    emu, dir, ldifPath, configPath, upn,
    env: { HPS_CLIENT_SECRET: CLIENT_SECRET },
    guid: (sam) => (guids.get(sam) as Buffer).toString('hex'),
    async close() {
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

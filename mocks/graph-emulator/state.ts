/** Load and validate the JSON state (object or file) and build the in-memory tenant from it. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { StateError } from './errors.js';
import { importStatePhoto, type StoredImage } from './image.js';
import { TenantStore, type StoredUser } from './store.js';
import type { EmulatorState, EmulatorUser } from './types.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const clientSchema = z.object({
  clientId: z.string().min(1),
  secret: z.string().min(1).optional(),
  certificatePem: z.string().includes('-----BEGIN').optional(),
  roles: z.array(z.string()),
});

const userSchema = z.object({
  id: z.string().regex(GUID, 'id must be a GUID').optional(),
  userPrincipalName: z.string().includes('@'),
  mail: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
  onPremisesImmutableId: z.string().nullable().optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
  photo: z.string().nullable().optional(),
  photoPlaceholder: z.boolean().optional(),
});

export const stateSchema = z.object({
  tenantId: z.string().regex(GUID, 'tenantId must be a GUID'),
  clients: z.array(clientSchema),
  users: z.array(userSchema),
  photoUpdateSettings: z.object({ source: z.enum(['cloud', 'onPremises']) }).optional(),
});

export interface LoadedState {
  state: EmulatorState;
  /** Directory that relative photo paths are resolved against. */
  baseDir: string;
}

export async function loadState(input: EmulatorState | string): Promise<LoadedState> {
  let raw: unknown = input;
  let baseDir = process.cwd();
  if (typeof input === 'string') {
    baseDir = path.dirname(path.resolve(input));
    try {
      raw = JSON.parse(await readFile(input, 'utf8'));
    } catch (err) {
      throw new StateError(`cannot read state file ${input}: ${(err as Error).message}`, { cause: err });
    }
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StateError(`invalid emulator state: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  return { state: parsed.data, baseDir };
}

/** Deterministic object id for users the state gives without one (name-based, UUID v5 layout). */
export function derivedUserId(tenantId: string, upn: string): string {
  const h = createHash('sha1').update(`${tenantId.toLowerCase()}/${upn.toLowerCase()}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The store's record of a state-file or control-API user; fields left out are null. */
export function storedUser(tenantId: string, u: EmulatorUser): StoredUser {
  return {
    id: u.id ?? derivedUserId(tenantId, u.userPrincipalName),
    userPrincipalName: u.userPrincipalName,
    mail: u.mail ?? null,
    displayName: u.displayName ?? null,
    onPremisesImmutableId: u.onPremisesImmutableId ?? null,
    onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? null,
    photoPlaceholder: u.photoPlaceholder ?? false,
  };
}

/** Build the tenant; photo files are read once per distinct path (benchmarks share a few images). */
export async function buildStore({ state, baseDir }: LoadedState): Promise<TenantStore> {
  const store = new TenantStore(state.tenantId);
  const images = new Map<string, Promise<StoredImage>>();
  const photoJobs: Array<Promise<void>> = [];
  for (const u of state.users) {
    const user = storedUser(state.tenantId, u);
    const { id } = user;
    try {
      store.addUser(user);
    } catch (err) {
      throw new StateError(`invalid emulator state: ${(err as Error).message}`, { cause: err });
    }
    if (u.photo) {
      const file = path.resolve(baseDir, u.photo);
      let image = images.get(file);
      if (!image) {
        image = readFile(file).then(importStatePhoto);
        images.set(file, image);
      }
      photoJobs.push(
        image.then(
          (img) => void store.setPhoto(id, img),
          (err: unknown) => {
            throw new StateError(`photo of ${u.userPrincipalName} (${file}): ${(err as Error).message}`, { cause: err });
          },
        ),
      );
    }
  }
  await Promise.all(photoJobs);
  if (state.photoUpdateSettings) store.settings = { source: state.photoUpdateSettings.source, allowedRoles: [] };
  return store;
}

/** The seed file format (JSON) and its validation. Photo fields in a file are paths relative to the file. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SeedError } from './errors.js';

export interface SeedUser {
  /** Slash path of OUs under the base DN, created as needed: "Staff/Sales" → OU=Sales,OU=Staff,<baseDn>. */
  ou: string;
  sAMAccountName: string;
  userPrincipalName?: string;
  mail?: string;
  givenName?: string;
  sn?: string;
  displayName?: string;
  employeeID?: string;
  /** A path (relative to the seed file's folder, or `baseDir`) or the bytes. */
  thumbnailPhoto?: string | Buffer;
  jpegPhoto?: Array<string | Buffer>;
  msExchRecipientTypeDetails?: string | number;
  /** userAccountControl 514 when true, 512 otherwise. */
  disabled?: boolean;
  /** Set as unicodePwd (over LDAPS) when given. */
  password?: string;
}

export interface SeedFile {
  users: SeedUser[];
}

const photoRef = z.union([z.string().min(1), z.instanceof(Buffer)]);

export const seedUserSchema = z.strictObject({
  ou: z.string().min(1),
  sAMAccountName: z.string().min(1).max(20).regex(/^[^"/\\[\]:;|=,+*?<>@]+$/, 'characters not allowed in sAMAccountName'),
  userPrincipalName: z.string().min(1).optional(),
  mail: z.string().min(1).optional(),
  givenName: z.string().min(1).optional(),
  sn: z.string().min(1).optional(),
  displayName: z.string().min(1).optional(),
  employeeID: z.string().min(1).optional(),
  thumbnailPhoto: photoRef.optional(),
  jpegPhoto: z.array(photoRef).optional(),
  msExchRecipientTypeDetails: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).optional(),
  disabled: z.boolean().optional(),
  password: z.string().min(1).optional(),
});

export const seedFileSchema = z.strictObject({ users: z.array(seedUserSchema) });

/** Validates a seed (from a file or built in code); throws SeedError naming the bad fields. */
export function parseSeed(data: unknown, source = 'seed'): SeedFile {
  const parsed = seedFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new SeedError(`invalid ${source}:\n${issues}`, { cause: parsed.error });
  }
  const names = new Set<string>();
  for (const u of parsed.data.users) {
    const key = u.sAMAccountName.toLowerCase();
    if (names.has(key)) throw new SeedError(`invalid ${source}: sAMAccountName ${u.sAMAccountName} appears twice`);
    names.add(key);
  }
  return parsed.data;
}

/** Reads and validates a JSON seed file; `baseDir` is its folder (photo paths are relative to it). */
export async function loadSeedFile(file: string): Promise<{ seed: SeedFile; baseDir: string }> {
  const abs = path.resolve(file);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(abs, 'utf8'));
  } catch (err) {
    throw new SeedError(`cannot read seed file ${abs}: ${(err as Error).message}`, { cause: err });
  }
  return { seed: parseSeed(data, `seed file ${abs}`), baseDir: path.dirname(abs) };
}

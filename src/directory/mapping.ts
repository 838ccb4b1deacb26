/**
 * Raw directory entry (LDAP search entry or LDIF record) → OnPremUser. Pure: bad values become the user's
 * readError, never a throw, so one odd account cannot stop a run.
 */
import type { OnPremUser, SourcePhoto } from '../model.js';
import { guidBytesToString, guidStringToBytes, guidToImmutableId } from './guid.js';

/** One attribute value as a reader hands it over: text, or bytes (binary or base64-decoded). */
export type RawValue = string | Buffer;

/** An entry as ldapts returns it (and as the LDIF reader builds it): attribute names in any case. */
export interface RawEntry {
  readonly dn: string;
  readonly [attribute: string]: RawValue | readonly RawValue[];
}

/** Largest photo value used from any directory source (the HR folder's file limit; a camera original fits). */
export const MAX_PHOTO_VALUE_BYTES = 25 * 1024 * 1024;

/** The photo attributes, in the default order of preference. */
export const PHOTO_ATTRIBUTES = ['thumbnailPhoto', 'jpegPhoto'] as const;
export type PhotoAttribute = (typeof PHOTO_ATTRIBUTES)[number];

/** The attributes the readers request. */
export const USER_ATTRIBUTES = [
  'objectGUID',
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'displayName',
  'givenName',
  'sn',
  'employeeID',
  'thumbnailPhoto',
  'jpegPhoto',
  'userAccountControl',
  'uSNChanged',
  'msExchRecipientTypeDetails',
  'mS-DS-ConsistencyGuid',
] as const;

/** Attributes whose values are bytes, not text. */
export const BINARY_ATTRIBUTES = ['objectGUID', 'mS-DS-ConsistencyGuid', 'thumbnailPhoto', 'jpegPhoto'] as const;

export interface MappingOptions {
  /** Which photo attribute wins when both are set. Default: thumbnailPhoto, then jpegPhoto. */
  photoOrder?: readonly PhotoAttribute[];
}

const ACCOUNTDISABLE = 0x2;

/** The entry's values by lower-cased attribute name (ldapts keeps the server's spelling). */
function lowerCased(entry: RawEntry): Map<string, readonly RawValue[]> {
  const out = new Map<string, readonly RawValue[]>();
  for (const [key, v] of Object.entries(entry)) {
    if (key === 'dn') continue;
    const values = Array.isArray(v) ? (v as readonly RawValue[]) : [v as RawValue];
    const k = key.toLowerCase();
    out.set(k, [...(out.get(k) ?? []), ...values]);
  }
  return out;
}

export function mapEntry(entry: RawEntry, opts: MappingOptions = {}): OnPremUser {
  const attrs = lowerCased(entry);
  const errors: string[] = [];
  const values = (name: string): readonly RawValue[] => attrs.get(name.toLowerCase()) ?? [];
  const text = (name: string): string | undefined => {
    const v = values(name)[0];
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : v.toString('utf8');
  };
  const bigint = (name: string): bigint | undefined => {
    const t = text(name)?.trim();
    if (t === undefined || t === '') return undefined;
    if (!/^-?\d+$/.test(t)) {
      errors.push(`${name} is not an integer: ${JSON.stringify(t.slice(0, 40))}`);
      return undefined;
    }
    return BigInt(t);
  };

  const user: OnPremUser = { dn: entry.dn, objectGuid: '', immutableId: '' };
  readGuid(values('objectGUID')[0], user, errors);
  readSourceAnchor(values('mS-DS-ConsistencyGuid')[0], user, errors);

  const sam = text('sAMAccountName');
  if (sam !== undefined) user.sAMAccountName = sam;
  const upn = text('userPrincipalName');
  if (upn !== undefined) user.userPrincipalName = upn;
  const mail = text('mail');
  if (mail !== undefined) user.mail = mail;
  const displayName = text('displayName');
  if (displayName !== undefined) user.displayName = displayName;
  const givenName = text('givenName');
  if (givenName !== undefined) user.givenName = givenName;
  const sn = text('sn');
  if (sn !== undefined) user.sn = sn;
  const employeeId = text('employeeID');
  if (employeeId !== undefined) user.employeeId = employeeId;

  const uac = bigint('userAccountControl');
  if (uac !== undefined) user.disabled = (uac & BigInt(ACCOUNTDISABLE)) !== 0n;
  const usn = bigint('uSNChanged');
  if (usn !== undefined) user.uSNChanged = usn;
  const rtd = bigint('msExchRecipientTypeDetails');
  if (rtd !== undefined) user.msExchRecipientTypeDetails = rtd;

  const photo = choosePhoto(values, opts.photoOrder ?? PHOTO_ATTRIBUTES, errors);
  if (photo) user.photo = photo;

  if (errors.length > 0) user.readError = errors.join('; ');
  return user;
}

function readGuid(raw: RawValue | undefined, user: OnPremUser, errors: string[]): void {
  if (raw === undefined) {
    errors.push('no objectGUID');
    return;
  }
  let bytes: Buffer;
  if (typeof raw === 'string') {
    // Some exports write the GUID as text; accept the canonical form, nothing else.
    try {
      bytes = guidStringToBytes(raw);
    } catch {
      errors.push(`objectGUID is text, not a GUID: ${JSON.stringify(raw.slice(0, 40))}`);
      return;
    }
  } else {
    bytes = raw;
  }
  if (bytes.length !== 16) {
    errors.push(`objectGUID is ${bytes.length} bytes, expected 16`);
    return;
  }
  user.objectGuid = guidBytesToString(bytes);
  user.immutableId = guidToImmutableId(bytes);
}

/**
 * Entra Connect's source anchor: mS-DS-ConsistencyGuid when set (the default since Entra Connect 1.1.524; it starts
 * as a copy of objectGUID and moves with the user across forests), else objectGUID. onPremisesImmutableId is its
 * base64.
 */
function readSourceAnchor(raw: RawValue | undefined, user: OnPremUser, errors: string[]): void {
  if (raw === undefined) return;
  let bytes: Buffer;
  try {
    bytes = typeof raw === 'string' ? guidStringToBytes(raw) : raw;
  } catch {
    errors.push(`mS-DS-ConsistencyGuid is text, not a GUID: ${JSON.stringify(raw.slice(0, 40))}`);
    return;
  }
  if (bytes.length !== 16) {
    errors.push(`mS-DS-ConsistencyGuid is ${bytes.length} bytes, expected 16`);
    return;
  }
  user.immutableId = bytes.toString('base64');
}

/**
 * The photo: the first value of the first photo attribute (in `order`) that has one. A 0-byte value is that user's
 * photo, so it becomes the error "The photo is empty (0 bytes)" downstream: AD never stores an empty value (clearing
 * removes the attribute), so an empty one means a broken export or writer, and reading it as "no photo" could
 * delete the user's cloud photo (with allowDelete) or silently pick another attribute.
 */
function choosePhoto(
  values: (name: string) => readonly RawValue[],
  order: readonly PhotoAttribute[],
  errors: string[],
): SourcePhoto | undefined {
  for (const attr of order) {
    for (const v of values(attr)) {
      if (v === '') return { origin: attr, bytes: Buffer.alloc(0) }; // LDIF `thumbnailPhoto:` with nothing after it
      if (typeof v === 'string') {
        errors.push(`${attr} came back as text, not bytes`);
        continue;
      }
      if (v.length > MAX_PHOTO_VALUE_BYTES) {
        errors.push(`${attr} is ${v.length} bytes, over the ${MAX_PHOTO_VALUE_BYTES}-byte limit for a photo`);
        return undefined;
      }
      return { origin: attr, bytes: v };
    }
  }
  return undefined;
}

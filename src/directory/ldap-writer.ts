/**
 * The Active Directory photo writer: reads and replaces `thumbnailPhoto` / `jpegPhoto` on user objects with LDAP
 * modify over the same LDAPS (or StartTLS) connection rules as the reader. Values go on the wire as bytes (ldapts
 * BER-encodes Buffers as they are); an empty replace clears the attribute. A failed write is that user's result, not
 * a throw: the run goes on for the others.
 *
 * The bind account needs "Write thumbnailPhoto" (and "Write jpegPhoto" when used) on the user objects in scope:
 * docs/permissions.md#active-directory-write-access shows the delegation.
 */
import { Attribute, Change, type ClientOptions } from 'ldapts';
import { AD_PHOTO_ATTRIBUTES, type AdPhotoChange, type AdPhotos, type AdWriteResult } from '../model.js';
import { bindLdapClient, type LdapClientLike, type LdapConfig, type LdapDeps } from './ldap.js';

/** The part of ldapts' Client the writer uses (tests may pass a fake). */
export interface LdapWriteClient extends LdapClientLike {
  modify(dn: string, changes: Change | Change[]): Promise<void>;
}

export type LdapWriterConfig = Pick<LdapConfig, 'url' | 'startTls' | 'bindDn' | 'password' | 'tls' | 'timeouts'>;

const BUFFER_ATTRIBUTES = AD_PHOTO_ATTRIBUTES.flatMap((a) => [a, a.toLowerCase()]);

function failure(dn: string, attrs: string, err: unknown): AdWriteResult {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const out = (errorId: string, advice: string, retryable = false): AdWriteResult => ({ dn, ok: false, errorId, message, advice, retryable });
  switch (code) {
    case 50:
      return out(
        'InsufficientAccess',
        `the bind account may not write ${attrs} on this user: delegate "Write ${attrs}" on the users' OU (docs/permissions.md, Active Directory write access)`,
      );
    case 32:
      return out('NoSuchObject', 'the user object is gone or moved since it was read; the next run reads it again', true);
    case 19:
    case 21:
      return out('ValueRejected', `the DC refused the value for ${attrs} (thumbnailPhoto holds at most 102,400 bytes; lower --max-bytes)`);
    case 51:
    case 52:
    case 80:
      return out('Unavailable', 'the DC is busy or unavailable; the next run tries again', true);
    default:
      if (typeof code === 'string') return out('Unavailable', `the connection to the DC failed (${code}); the next run tries again`, true);
      return out('LdapError', 'see the message; the next run tries again', true);
  }
}

export class LdapPhotoWriter {
  private closed = false;

  constructor(private readonly client: LdapWriteClient) {}

  /** The photo attributes a user object holds now. Throws when the object cannot be read. */
  async read(dn: string): Promise<AdPhotos> {
    const r = await this.client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...AD_PHOTO_ATTRIBUTES], explicitBufferAttributes: BUFFER_ATTRIBUTES });
    const entry = r.searchEntries[0] ?? { dn };
    const out: AdPhotos = {};
    for (const [k, v] of Object.entries(entry)) {
      const attr = AD_PHOTO_ATTRIBUTES.find((a) => a.toLowerCase() === k.toLowerCase());
      const first: unknown = Array.isArray(v) ? v[0] : v;
      if (attr && Buffer.isBuffer(first) && first.length > 0) out[attr] = first;
    }
    return out;
  }

  /** Replaces or clears the given attributes in one modify (all or nothing on the DC). */
  async write(dn: string, change: AdPhotoChange): Promise<AdWriteResult> {
    const entries = AD_PHOTO_ATTRIBUTES.filter((a) => change[a] !== undefined);
    if (entries.length === 0) return { dn, ok: true };
    const changes = entries.map((type) => {
      const v = change[type];
      return new Change({ operation: 'replace', modification: new Attribute({ type, values: v ? [v] : [] }) });
    });
    try {
      await this.client.modify(dn, changes);
      return { dn, ok: true };
    } catch (err) {
      return failure(dn, entries.join(' and '), err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.unbind().catch(() => undefined);
  }
}

/** Connects and binds. Throws DirectoryConnectError or DirectoryAuthError, as the reader does. */
export async function openLdapPhotoWriter(
  config: LdapWriterConfig,
  deps: Omit<LdapDeps, 'createClient'> & { createClient?: (o: ClientOptions) => LdapWriteClient } = {},
): Promise<LdapPhotoWriter> {
  const { client } = await bindLdapClient<LdapWriteClient>(config, deps);
  return new LdapPhotoWriter(client);
}

/**
 * The LDAP(S) directory source: ldapts over LDAPS or StartTLS, a simple bind, and a paged subtree search that
 * streams — one page of entries in memory at a time, mapped and yielded user by user.
 */
import { PEM_MAX_BYTES, readBounded } from '../files/bounded-read.js';
import type { ConnectionOptions } from 'node:tls';
import { Client, type ClientOptions, type SearchOptions, type SearchResult } from 'ldapts';
import type { OnPremUser } from '../model.js';
import { DirectoryConfigError, DirectoryError, DirectorySearchError } from './errors.js';
import { buildUserFilter, parseFilter } from './filter.js';
import { guidBytesToString } from './guid.js';
import { classifyConnectError } from './ldap-errors.js';
import { inspectLdap, type LdapInspection } from './ldap-inspect.js';
import { BINARY_ATTRIBUTES, PHOTO_ATTRIBUTES, USER_ATTRIBUTES, mapEntry, type PhotoAttribute } from './mapping.js';
import type { DirectoryLogger, DirectorySource, HighWaterMark, UsersOptions } from './source.js';

export interface LdapTlsConfig {
  /** PEM file of the CA that issued the DC's certificate (added to Node's default trust). */
  caFile?: string;
  /** Verify the DC's certificate. Default true; turning it off is logged as a warning. */
  rejectUnauthorized?: boolean;
  /** Host name to verify the certificate against, when the URL names the DC differently (e.g. by IP). */
  servername?: string;
}

export interface LdapConfig {
  /** ldaps://dc.corp.example.com[:636], or ldap://…:389 with `startTls: true`. */
  url: string;
  startTls?: boolean;
  bindDn: string;
  password: string;
  baseDn: string;
  /** RFC 4515 filter; default DEFAULT_USER_FILTER (filter.ts). */
  filter?: string;
  /** Only members of this group. */
  groupDn?: string;
  /** Include members of nested groups (LDAP_MATCHING_RULE_IN_CHAIN). Default true. */
  nestedGroups?: boolean;
  /** Entries per page; default 500. */
  pageSize?: number;
  tls?: LdapTlsConfig;
  timeouts?: {
    /** TCP + TLS connect. Default 10 s. */
    connectMs?: number;
    /** Each LDAP operation (bind, one page of a search). Default 120 s. */
    operationMs?: number;
  };
  photoOrder?: readonly PhotoAttribute[];
}

/** The part of ldapts' Client the source uses (tests pass a fake). */
export interface LdapClientLike {
  startTLS(options?: ConnectionOptions): Promise<void>;
  bind(dn: string, password?: string): Promise<void>;
  search(baseDn: string, options?: SearchOptions): Promise<SearchResult>;
  searchPaginated(baseDn: string, options?: SearchOptions): AsyncGenerator<SearchResult>;
  unbind(): Promise<void>;
}

export interface LdapDeps {
  logger?: DirectoryLogger;
  createClient?: (options: ClientOptions) => LdapClientLike;
  readFile?: (path: string) => Promise<Buffer>;
}

export const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_CONNECT_MS = 10_000;
const DEFAULT_OPERATION_MS = 120_000;

const stderrLogger: DirectoryLogger = { warn: (msg) => process.stderr.write(`warning: ${msg}\n`) };

/** ldapts matches explicitBufferAttributes case-sensitively against the server's spelling: list both. */
const BUFFER_ATTRIBUTES = BINARY_ATTRIBUTES.flatMap((a) => [a, a.toLowerCase()]);

function checkConfig(config: LdapConfig): URL {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch (err) {
    throw new DirectoryConfigError(`"${config.url}" is not an LDAP URL (expected ldaps://host[:port])`, { cause: err });
  }
  if (url.protocol !== 'ldaps:' && url.protocol !== 'ldap:') {
    throw new DirectoryConfigError(`"${config.url}" is not an LDAP URL (expected ldaps://host[:port] or ldap://host with StartTLS)`);
  }
  if (url.protocol === 'ldap:' && !config.startTls) {
    throw new DirectoryConfigError(
      `${config.url} would send the bind password unencrypted: use ldaps:// (port 636) or turn on StartTLS.`,
    );
  }
  if (url.protocol === 'ldaps:' && config.startTls) {
    throw new DirectoryConfigError(`StartTLS is for ldap:// URLs; ${config.url} is already TLS.`);
  }
  const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new DirectoryConfigError(`pageSize must be a positive integer, got ${pageSize}`);
  if (config.baseDn.trim() === '') throw new DirectoryConfigError('baseDn is empty');
  // Fail on a bad filter or group DN now, not in the middle of a run.
  parseFilter(buildUserFilter({ filter: config.filter, groupDn: config.groupDn, nestedGroups: config.nestedGroups }));
  return url;
}

/** Connects, binds and returns a ready source. Throws DirectoryConfigError, DirectoryConnectError or DirectoryAuthError. */
export async function openLdapSource(config: LdapConfig, deps: LdapDeps = {}): Promise<LdapDirectorySource> {
  checkConfig(config);
  const { client, logger } = await bindLdapClient(config, deps);
  return new LdapDirectorySource(config, client, logger);
}

/**
 * An LDAPS (or StartTLS) connection bound as the configured account, with the same TLS rules and error advice for
 * every user of the directory (the reader, the AD photo writer). Throws DirectoryConnectError or DirectoryAuthError.
 */
export async function bindLdapClient<C extends LdapClientLike = LdapClientLike>(
  config: Pick<LdapConfig, 'url' | 'startTls' | 'bindDn' | 'password' | 'tls' | 'timeouts'>,
  deps: Omit<LdapDeps, 'createClient'> & { createClient?: (options: ClientOptions) => C } = {},
): Promise<{ client: C; logger: DirectoryLogger }> {
  const url = new URL(config.url);
  const logger = deps.logger ?? stderrLogger;
  const rejectUnauthorized = config.tls?.rejectUnauthorized ?? true;
  if (!rejectUnauthorized) {
    logger.warn(
      `TLS certificate verification is OFF for ${config.url}: anyone on the network path can pose as the DC and ` +
        'read the bind password. Pass the CA certificate with directory.caFile instead.',
    );
  }
  let ca: Buffer | undefined;
  if (config.tls?.caFile !== undefined) {
    try {
      ca = await (deps.readFile ?? ((f: string) => readBounded(f, { maxBytes: PEM_MAX_BYTES })))(config.tls.caFile);
    } catch (err) {
      throw new DirectoryConfigError(`Cannot read the CA file ${config.tls.caFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const tlsOptions: ConnectionOptions = {
    rejectUnauthorized,
    ...(ca ? { ca: [ca] } : {}),
    ...(config.tls?.servername ? { servername: config.tls.servername } : {}),
  };
  const clientOptions: ClientOptions = {
    url: config.url,
    connectTimeout: config.timeouts?.connectMs ?? DEFAULT_CONNECT_MS,
    timeout: config.timeouts?.operationMs ?? DEFAULT_OPERATION_MS,
    // With ldap:// ldapts would go TLS-first if given tlsOptions; StartTLS gets them below instead.
    ...(config.startTls ? {} : { tlsOptions }),
  };
  const client = (deps.createClient ?? ((o: ClientOptions) => new Client(o) as unknown as C))(clientOptions);
  const ctx = { url: config.url, bindDn: config.bindDn, startTls: config.startTls === true, caFile: config.tls?.caFile };
  try {
    if (config.startTls) await client.startTLS({ ...tlsOptions, host: hostname });
    await client.bind(config.bindDn, config.password);
  } catch (err) {
    await client.unbind().catch(() => undefined);
    throw classifyConnectError(err, ctx);
  }
  return { client, logger };
}

function firstText(entry: Record<string, unknown>, name: string): string | undefined {
  for (const [k, v] of Object.entries(entry)) {
    if (k.toLowerCase() !== name.toLowerCase()) continue;
    const one: unknown = Array.isArray(v) ? v[0] : v;
    if (typeof one === 'string') return one;
    if (Buffer.isBuffer(one)) return one.toString('utf8');
  }
  return undefined;
}

function firstBuffer(entry: Record<string, unknown>, name: string): Buffer | undefined {
  for (const [k, v] of Object.entries(entry)) {
    if (k.toLowerCase() !== name.toLowerCase()) continue;
    const one: unknown = Array.isArray(v) ? v[0] : v;
    if (Buffer.isBuffer(one)) return one;
  }
  return undefined;
}

export class LdapDirectorySource implements DirectorySource {
  private closed = false;

  constructor(
    private readonly config: LdapConfig,
    private readonly client: LdapClientLike,
    private readonly logger: DirectoryLogger,
  ) {}

  /** The DC's highestCommittedUSN (rootDSE) and invocationId (its NTDS Settings object, via dsServiceName). */
  async directoryMark(): Promise<HighWaterMark> {
    try {
      const root = await this.client.search('', {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['highestCommittedUSN', 'dsServiceName'],
      });
      const rootEntry = root.searchEntries[0] ?? { dn: '' };
      const usn = firstText(rootEntry, 'highestCommittedUSN');
      const dsa = firstText(rootEntry, 'dsServiceName');
      if (usn === undefined || !/^\d+$/.test(usn) || dsa === undefined) {
        throw new DirectorySearchError('The rootDSE did not return highestCommittedUSN and dsServiceName: is this an Active Directory DC?');
      }
      const ntds = await this.client.search(dsa, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['invocationId'],
        explicitBufferAttributes: ['invocationId', 'invocationID', 'invocationid'],
      });
      const inv = firstBuffer(ntds.searchEntries[0] ?? { dn: '' }, 'invocationId');
      if (inv?.length !== 16) throw new DirectorySearchError(`No invocationId on ${dsa}`);
      return { invocationId: guidBytesToString(inv), usn: BigInt(usn) };
    } catch (err) {
      if (err instanceof DirectoryError) throw err;
      throw new DirectorySearchError(`Reading the DC's high-water mark failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Read-only facts for `hps doctor`: base DN present, msExchRecipientTypeDetails in the schema. */
  inspect(): Promise<LdapInspection> {
    return inspectLdap(this.client, this.config.baseDn);
  }

  users(opts: UsersOptions = {}): AsyncIterable<OnPremUser> {
    return this.stream(opts);
  }

  private async *stream(opts: UsersOptions): AsyncGenerator<OnPremUser> {
    let since = opts.since;
    if (since !== undefined) {
      const now = await this.directoryMark();
      if (now.invocationId.toLowerCase() !== since.invocationId.toLowerCase()) {
        this.logger.warn(
          `The saved high-water mark is from another DC database (invocationId ${since.invocationId}, this DC has ` +
            `${now.invocationId}): reading all users instead of only the changed ones.`,
        );
        since = undefined;
      }
    }
    const filterText = buildUserFilter({
      filter: this.config.filter,
      groupDn: this.config.groupDn,
      nestedGroups: this.config.nestedGroups,
      since,
      only: opts.only,
    });
    const pages = this.client.searchPaginated(this.config.baseDn, {
      scope: 'sub',
      filter: parseFilter(filterText),
      // Only the photo attributes the mapping will look at: an unused jpegPhoto can be megabytes per user.
      attributes: USER_ATTRIBUTES.filter((a) => !isPhotoAttribute(a) || (this.config.photoOrder ?? PHOTO_ATTRIBUTES).includes(a)),
      explicitBufferAttributes: BUFFER_ATTRIBUTES,
      paged: { pageSize: this.config.pageSize ?? DEFAULT_PAGE_SIZE },
    });
    const mapping = { photoOrder: this.config.photoOrder };
    try {
      while (true) {
        let page: IteratorResult<SearchResult>;
        try {
          page = await pages.next();
        } catch (err) {
          throw this.searchError(err, filterText);
        }
        if (page.done) return;
        for (const entry of page.value.searchEntries) yield mapEntry(entry, mapping);
      }
    } finally {
      // The consumer may stop early: let ldapts' generator finish too.
      await pages.return(undefined);
    }
  }

  private searchError(err: unknown, filter: string): DirectoryError {
    const code = (err as { code?: unknown }).code;
    if (code === 32) {
      return new DirectorySearchError(`The base DN ${this.config.baseDn} does not exist on the DC (check baseDn).`, { cause: err });
    }
    return new DirectorySearchError(`LDAP search under ${this.config.baseDn} with ${filter} failed: ${(err as Error).message}`, { cause: err });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.unbind().catch(() => undefined);
  }
}

function isPhotoAttribute(a: string): a is PhotoAttribute {
  return (PHOTO_ATTRIBUTES as readonly string[]).includes(a);
}

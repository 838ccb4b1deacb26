/**
 * Reads Entra ID users and their photos through Graph: users paged via @odata.nextLink, photo metadata and
 * bytes through the connection's $batch queue (one item per user, answered one by one). "No photo" is a 404 (keyed
 * on the status, never the code string) or Graph's 1×1 placeholder. For comparing, a photo larger than the
 * comparison needs is read at a smaller served size (`/photos/240x240/$value`).
 */
import type { CloudPhotoMeta, CloudUser } from '../model.js';
import { batchBodyBytes, createBatcher, runBatch, type BatchItemResult, type Batcher } from './batch.js';
import { adviceForGraphStatus, parseGraphError, type GraphOperation } from './errors.js';
import { errorFromResponse, userSegment, type GraphHttp, type GraphResponse } from './http.js';
import type { RetryPolicy } from './retry.js';

export const USER_SELECT = ['id', 'userPrincipalName', 'mail', 'displayName', 'onPremisesImmutableId', 'onPremisesSyncEnabled'] as const;

/** Why one user's photo could not be read. */
export interface CloudItemError {
  status: number;
  errorId: string;
  message: string;
  advice: string;
  retryable: boolean;
}

export type PhotoMetaResult = CloudPhotoMeta | { error: CloudItemError };
export type PhotoBytesResult = Buffer | null | { error: CloudItemError };

export interface FindUsersQuery {
  upn?: string;
  mail?: string;
  immutableId?: string;
}

export interface GraphReader {
  /** Every user of the tenant, page by page ($top 999). */
  users(): AsyncIterable<CloudUser>;
  /** One user by id or UPN; undefined when Graph says 404. */
  user(idOrUpn: string): Promise<CloudUser | undefined>;
  /** Users matching ANY of the given keys (an `or` filter); empty query → empty list. */
  findUsers(query: FindUsersQuery): Promise<CloudUser[]>;
  photoMeta(ids: readonly string[]): Promise<Map<string, PhotoMetaResult>>;
  /** Photo bytes; null when the user has no photo (404 or the 1×1 placeholder). */
  photoBytes(ids: readonly string[]): Promise<Map<string, PhotoBytesResult>>;
  /** One user's photo metadata, queued with everyone else's into shared batches. */
  photoMetaOf(id: string): Promise<PhotoMetaResult>;
  /**
   * One user's photo as much as a comparison needs: the smallest served size of at least `edge` px (default
   * COMPARE_EDGE) when the metadata says the photo is larger, else the photo itself.
   */
  comparePhotoOf(id: string, meta: CloudPhotoMeta, edge?: number): Promise<PhotoBytesResult>;
}

/** Square sizes Graph serves under /photos/{size} (profilePhoto resource). */
export const SERVED_SIZES = [48, 64, 96, 120, 240, 360, 432, 504, 648] as const;
/**
 * The cloud photo edge comparisons read. The comparison works at the smaller photo's resolution and its
 * fingerprints sample far below this (64 px), so 240 px keeps every detail a decision uses at a fraction of 648 px.
 */
export const COMPARE_EDGE = 240;

/** The path to read a photo for comparing: a served size ≥ edge below the photo's own, else `/photo/$value`. */
export function comparePhotoPath(id: string, meta: Pick<CloudPhotoMeta, 'width' | 'height'>, edge = COMPARE_EDGE): string {
  const own = meta.width !== undefined && meta.height !== undefined ? Math.min(meta.width, meta.height) : undefined;
  const size = SERVED_SIZES.find((s) => s >= edge);
  if (own === undefined || size === undefined || own <= size) return `/users/${userSegment(id)}/photo/$value`;
  return `/users/${userSegment(id)}/photos/${size}x${size}/$value`;
}

export interface GraphReaderDeps {
  http: GraphHttp;
  retry: RetryPolicy;
  /** Page size for users(); Graph's maximum is 999. */
  pageSize?: number;
  /** The connection's $batch queue; default: the reader's own. */
  batcher?: Batcher;
}

export function createGraphReader(deps: GraphReaderDeps): GraphReader {
  const { http, retry } = deps;
  const select = `$select=${USER_SELECT.join(',')}`;
  const batcher = deps.batcher ?? createBatcher(http, retry);
  const get = (key: string, url: string) => batcher.submit({ key, method: 'GET', url });

  async function* pages(firstPath: string): AsyncIterable<CloudUser> {
    let next: { path?: string; url?: string } | undefined = { path: firstPath };
    while (next) {
      const res: GraphResponse = await http.send({ method: 'GET', ...next });
      if (res.status !== 200) throw errorFromResponse(res, 'read-users', 'GET /users');
      const page = res.json<{ value?: unknown[]; '@odata.nextLink'?: string }>();
      for (const raw of page?.value ?? []) {
        const user = toCloudUser(raw);
        if (user) yield user;
      }
      const link = page?.['@odata.nextLink'];
      next = typeof link === 'string' && link ? { url: link } : undefined;
    }
  }

  return {
    users: () => pages(`/users?${select}&$top=${deps.pageSize ?? 999}`),

    async user(idOrUpn) {
      const res = await http.send({ method: 'GET', path: `/users/${userSegment(idOrUpn)}?${select}` });
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw errorFromResponse(res, 'read-users', `GET /users/${idOrUpn}`);
      return toCloudUser(res.json());
    },

    async findUsers(query) {
      const filter = userFilter(query);
      if (!filter) return [];
      const out: CloudUser[] = [];
      for await (const u of pages(`/users?${select}&$filter=${encodeURIComponent(filter)}`)) out.push(u);
      return out;
    },

    async photoMeta(ids) {
      const answers = await runBatch(
        http,
        retry,
        unique(ids).map((id) => ({ key: id, method: 'GET' as const, url: `/users/${userSegment(id)}/photo` })),
        {},
        batcher,
      );
      const out = new Map<string, PhotoMetaResult>();
      for (const [id, r] of answers) out.set(id, toPhotoMeta(r));
      return out;
    },

    async photoBytes(ids) {
      const answers = await runBatch(
        http,
        retry,
        unique(ids).map((id) => ({ key: id, method: 'GET' as const, url: `/users/${userSegment(id)}/photo/$value` })),
        {},
        batcher,
      );
      const out = new Map<string, PhotoBytesResult>();
      for (const [id, r] of answers) out.set(id, toPhotoBytes(r));
      return out;
    },

    async photoMetaOf(id) {
      return toPhotoMeta(await get(id, `/users/${userSegment(id)}/photo`));
    },

    async comparePhotoOf(id, meta, edge) {
      const path = comparePhotoPath(id, meta, edge);
      const first = await get(id, path);
      // A size the service does not serve for this photo after all: read the photo itself.
      if (first.status === 404 && path.includes('/photos/')) return toPhotoBytes(await get(id, `/users/${userSegment(id)}/photo/$value`));
      return toPhotoBytes(first);
    },
  };
}

/** An OData string literal: single quotes doubled, wrapped in quotes. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `$filter` text for a find: the given keys joined by `or`; undefined when no key is given. */
export function userFilter(query: FindUsersQuery): string | undefined {
  const parts: string[] = [];
  if (query.upn) parts.push(`userPrincipalName eq ${odataString(query.upn)}`);
  if (query.mail) parts.push(`mail eq ${odataString(query.mail)}`);
  if (query.immutableId) parts.push(`onPremisesImmutableId eq ${odataString(query.immutableId)}`);
  return parts.length > 0 ? parts.join(' or ') : undefined;
}

/** Keeps only the selected fields; undefined when id or UPN is missing. */
export function toCloudUser(raw: unknown): CloudUser | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || typeof r.userPrincipalName !== 'string') return undefined;
  const user: CloudUser = { id: r.id, userPrincipalName: r.userPrincipalName };
  if ('mail' in r) user.mail = typeof r.mail === 'string' ? r.mail : null;
  if ('displayName' in r) user.displayName = typeof r.displayName === 'string' ? r.displayName : null;
  if ('onPremisesImmutableId' in r) user.onPremisesImmutableId = typeof r.onPremisesImmutableId === 'string' ? r.onPremisesImmutableId : null;
  if ('onPremisesSyncEnabled' in r) user.onPremisesSyncEnabled = typeof r.onPremisesSyncEnabled === 'boolean' ? r.onPremisesSyncEnabled : null;
  return user;
}

/** Graph's photo metadata (a $batch item) as CloudPhotoMeta. */
export function toPhotoMeta(r: BatchItemResult): PhotoMetaResult {
  if (r.status === 404) return { exists: false };
  if (r.status !== 200) return { error: itemError(r, 'read-photo') };
  const body = (typeof r.body === 'object' && r.body !== null ? r.body : {}) as Record<string, unknown>;
  const width = typeof body.width === 'number' ? body.width : undefined;
  const height = typeof body.height === 'number' ? body.height : undefined;
  if (width === 1 && height === 1) return { exists: false };
  const meta: CloudPhotoMeta = { exists: true };
  if (typeof body['@odata.mediaEtag'] === 'string') meta.etag = body['@odata.mediaEtag'];
  if (width !== undefined) meta.width = width;
  if (height !== undefined) meta.height = height;
  const ct = body['@odata.mediaContentType'] ?? r.headers['content-type'];
  if (typeof ct === 'string') meta.contentType = ct;
  return meta;
}

/** Graph's photo bytes (a $batch item, base64 body) as a Buffer, or null for no photo. */
export function toPhotoBytes(r: BatchItemResult): PhotoBytesResult {
  if (r.status === 404) return null;
  if (r.status !== 200) return { error: itemError(r, 'read-photo') };
  const bytes = batchBodyBytes(r);
  if (bytes.length === 0 || isOnePixelGif(bytes)) return null;
  return bytes;
}

/** Graph's "no photo" placeholder: a 1×1 GIF. */
export function isOnePixelGif(bytes: Buffer): boolean {
  return bytes.length >= 10 && bytes.toString('latin1', 0, 4) === 'GIF8' && bytes.readUInt16LE(6) === 1 && bytes.readUInt16LE(8) === 1;
}

function itemError(r: BatchItemResult, op: GraphOperation): CloudItemError {
  if (r.error) {
    return {
      status: r.status,
      errorId: r.error.errorId,
      message: r.error.message,
      advice: r.error.advice ?? adviceForGraphStatus(r.status, op).advice,
      retryable: r.error.retryable,
    };
  }
  const body = parseGraphError(r.body);
  const a = adviceForGraphStatus(r.status, op, body);
  return {
    status: r.status,
    errorId: a.errorId,
    message: `HTTP ${r.status}${body.code ? ` ${body.code}` : ''}${body.message ? `: ${body.message}` : ''}`,
    advice: a.advice,
    retryable: a.retryable,
  };
}


function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

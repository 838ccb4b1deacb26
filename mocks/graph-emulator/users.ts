/**
 * GET /users (paging with @odata.nextLink, $top ≤ 999, $select, $filter) and GET /users/{id | upn}.
 * Property sets follow Graph: v1.0 returns the default set unless $select names others.
 */
import { badRequest, graphError, notFoundUser } from './errors.js';
import { jsonResponse, type GraphRequest, type GraphResponse } from './http.js';
import { evaluate, FilterError, parseFilter } from './odata-filter.js';
import type { StoredUser, TenantStore } from './store.js';

/** Every property the emulator can project; unmodelled ones have Graph's empty values. */
function properties(u: StoredUser): Record<string, unknown> {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: null,
    jobTitle: null,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: true,
    userType: 'Member',
    employeeId: null,
    department: null,
    companyName: null,
    otherMails: [],
    proxyAddresses: u.mail ? [`SMTP:${u.mail}`] : [],
    onPremisesImmutableId: u.onPremisesImmutableId,
    onPremisesSyncEnabled: u.onPremisesSyncEnabled,
    onPremisesSamAccountName: null,
    onPremisesUserPrincipalName: null,
    onPremisesDistinguishedName: null,
    onPremisesDomainName: null,
  };
}

const ALL_PROPS = Object.keys(properties({ id: '', userPrincipalName: '', mail: null, displayName: null } as StoredUser));
const DEFAULT_PROPS = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];
const FILTERABLE = ['id', 'userPrincipalName', 'mail', 'displayName', 'onPremisesImmutableId', 'onPremisesSyncEnabled', 'employeeId', 'accountEnabled'];
const UNSUPPORTED_OPTIONS = ['$orderby', '$search', '$expand', '$skip'];

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 999;

export interface UsersContext {
  store: TenantStore;
  baseUrl: string;
}

/** Parse $select; null means the version's default set. Throws a ready answer on unknown properties. */
function parseSelect(req: GraphRequest): string[] | null {
  const raw = req.query.get('$select');
  if (raw === null || raw.trim() === '') return null;
  const out: string[] = [];
  for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const found = ALL_PROPS.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!found) throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`, 'Request_BadRequest');
    if (!out.includes(found)) out.push(found);
  }
  return out;
}

function project(u: StoredUser, select: string[] | null, version: string): Record<string, unknown> {
  const all = properties(u);
  const names = select ?? (version === 'beta' ? ALL_PROPS : DEFAULT_PROPS);
  const out: Record<string, unknown> = {};
  for (const n of names) out[n] = all[n];
  return out;
}

function contextUrl(ctx: UsersContext, req: GraphRequest, select: string[] | null, entity: boolean): string {
  const sel = select ? `(${select.join(',')})` : '';
  return `${ctx.baseUrl}/${req.version}/$metadata#users${sel}${entity ? '/$entity' : ''}`;
}

function asAnswer(err: unknown): GraphResponse {
  if (err instanceof FilterError) return badRequest(err.message, err.code);
  if (typeof err === 'object' && err !== null && 'status' in err) return err as GraphResponse;
  throw err;
}

export function listUsers(ctx: UsersContext, req: GraphRequest): GraphResponse {
  try {
    for (const opt of UNSUPPORTED_OPTIONS) {
      if (req.query.has(opt)) return graphError(400, 'Request_UnsupportedQuery', `The emulator does not support ${opt} on users.`);
    }
    const select = parseSelect(req);
    const topRaw = req.query.get('$top');
    let top = DEFAULT_PAGE;
    if (topRaw !== null) {
      top = Number(topRaw);
      if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE) {
        return badRequest(`Invalid page size specified: '${topRaw}'. Must be between 1 and ${MAX_PAGE} inclusive.`, 'Request_BadRequest');
      }
    }
    let offset = 0;
    const skip = req.query.get('$skiptoken');
    if (skip !== null) {
      const parsed = decodeSkipToken(skip);
      if (parsed === null) return badRequest('Invalid skip token.', 'Request_BadRequest');
      offset = parsed;
    }
    const filterRaw = req.query.get('$filter');
    const filter = filterRaw ? parseFilter(filterRaw, FILTERABLE) : null;
    const matching = filter ? ctx.store.users.filter((u) => evaluate(filter, properties(u))) : ctx.store.users;
    const page = matching.slice(offset, offset + top);
    const body: Record<string, unknown> = { '@odata.context': contextUrl(ctx, req, select, false) };
    if (offset + top < matching.length) {
      body['@odata.nextLink'] = nextLink(ctx, req, offset + top);
    }
    body['value'] = page.map((u) => project(u, select, req.version));
    return jsonResponse(200, body);
  } catch (err) {
    return asAnswer(err);
  }
}

export function getUser(ctx: UsersContext, req: GraphRequest, idOrUpn: string): GraphResponse {
  try {
    const select = parseSelect(req);
    const user = ctx.store.resolve(idOrUpn);
    if (!user) return notFoundUser(idOrUpn);
    return jsonResponse(200, { '@odata.context': contextUrl(ctx, req, select, true), ...project(user, select, req.version) });
  } catch (err) {
    return asAnswer(err);
  }
}

/** Same query with a new $skiptoken; `$`, `,` and `'` stay literal as in Graph's links. */
function nextLink(ctx: UsersContext, req: GraphRequest, offset: number): string {
  const enc = (v: string) => encodeURIComponent(v).replace(/%24/g, '$').replace(/%2C/gi, ',').replace(/%27/g, "'");
  const parts: string[] = [];
  for (const [k, v] of req.query) if (k !== '$skiptoken') parts.push(`${enc(k)}=${enc(v)}`);
  parts.push(`$skiptoken=${encodeSkipToken(offset)}`);
  return `${ctx.baseUrl}/${req.version}/users?${parts.join('&')}`;
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeSkipToken(token: string): number | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    return typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0 ? v.o : null;
  } catch {
    return null;
  }
}

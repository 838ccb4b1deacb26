/**
 * Graph resource routing: maps a GraphRequest to the operation it needs (for the role check) and the
 * handler that answers it. Segment names match case-insensitively, as Graph's do.
 */
import { badRequest, methodNotAllowed } from './errors.js';
import type { GraphRequest, GraphResponse } from './http.js';
import * as photos from './photos.js';
import type { Operation } from './roles.js';
import * as settings from './settings.js';
import type { TenantStore } from './store.js';
import * as users from './users.js';

export interface RouteContext {
  store: TenantStore;
  baseUrl: string;
}

export interface Route {
  op: Operation;
  /** Error code of the 403 when the token lacks the roles: directory vs Exchange-backed resources differ. */
  deniedCode: 'Authorization_RequestDenied' | 'ErrorAccessDenied';
  run: () => GraphResponse | Promise<GraphResponse>;
}

const lc = (s: string | undefined): string => (s ?? '').toLowerCase();

/** A Route, or a ready answer (400 unknown segment, 405 wrong method). */
export function resolveRoute(ctx: RouteContext, req: GraphRequest): Route | GraphResponse {
  const s = req.segments;
  const m = req.method.toUpperCase();
  if (lc(s[0]) === 'users') return usersRoute(ctx, req, m);
  if (lc(s[0]) === 'admin' && lc(s[1]) === 'people' && lc(s[2]) === 'photoupdatesettings' && s.length === 3) {
    if (req.version !== 'beta') return badRequest("Resource not found for the segment 'photoUpdateSettings'.");
    if (m === 'GET') return { op: 'settings.read', deniedCode: 'Authorization_RequestDenied', run: () => settings.getSettings(ctx) };
    if (m === 'PATCH') return { op: 'settings.write', deniedCode: 'Authorization_RequestDenied', run: () => settings.patchSettings(ctx, req) };
    return methodNotAllowed();
  }
  return badRequest(`Resource not found for the segment '${s[0] ?? ''}'.`);
}

function usersRoute(ctx: RouteContext, req: GraphRequest, m: string): Route | GraphResponse {
  const [, id, seg2, seg3, seg4] = req.segments;
  const n = req.segments.length;
  const dir = 'Authorization_RequestDenied' as const;
  const exo = 'ErrorAccessDenied' as const;
  if (n === 1) return m === 'GET' ? { op: 'users.read', deniedCode: dir, run: () => users.listUsers(ctx, req) } : methodNotAllowed();
  const who = id as string;
  if (n === 2) return m === 'GET' ? { op: 'users.read', deniedCode: dir, run: () => users.getUser(ctx, req, who) } : methodNotAllowed();
  if (lc(seg2) === 'photo') {
    if (n === 3) return m === 'GET' ? { op: 'photo.read', deniedCode: exo, run: () => photos.getPhotoMeta(ctx, req, who) } : methodNotAllowed();
    if (n === 4 && lc(seg3) === '$value') {
      if (m === 'GET') return { op: 'photo.read', deniedCode: exo, run: () => photos.getPhotoValue(ctx, who) };
      if (m === 'PUT' || m === 'PATCH') return { op: 'photo.write', deniedCode: exo, run: () => photos.putPhoto(ctx, req, who) };
      if (m === 'DELETE') return { op: 'photo.write', deniedCode: exo, run: () => photos.deletePhoto(ctx, who) };
      return methodNotAllowed();
    }
  }
  if (lc(seg2) === 'photos') {
    if (m !== 'GET') return methodNotAllowed();
    if (n === 3) return { op: 'photo.read', deniedCode: exo, run: () => photos.listPhotos(ctx, req, who) };
    const size = seg3 as string;
    if (n === 4) return { op: 'photo.read', deniedCode: exo, run: () => photos.getSizeMeta(ctx, req, who, size) };
    if (n === 5 && lc(seg4) === '$value') return { op: 'photo.read', deniedCode: exo, run: () => photos.getSizeValue(ctx, who, size) };
  }
  return badRequest(`Resource not found for the segment '${req.segments[n - 1] ?? ''}'.`);
}

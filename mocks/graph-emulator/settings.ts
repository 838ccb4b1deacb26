/** GET/PATCH /beta/admin/people/photoUpdateSettings. */
import { badRequest } from './errors.js';
import { jsonResponse, type GraphRequest, type GraphResponse } from './http.js';
import type { TenantStore } from './store.js';

export interface SettingsContext {
  store: TenantStore;
  baseUrl: string;
}

function body(ctx: SettingsContext): Record<string, unknown> {
  return {
    '@odata.context': `${ctx.baseUrl}/beta/$metadata#admin/people/photoUpdateSettings/$entity`,
    source: ctx.store.settings.source,
    allowedRoles: [...ctx.store.settings.allowedRoles],
  };
}

export function getSettings(ctx: SettingsContext): GraphResponse {
  return jsonResponse(200, body(ctx));
}

export function patchSettings(ctx: SettingsContext, req: GraphRequest): GraphResponse {
  let patch: unknown;
  try {
    patch = JSON.parse(req.body.toString('utf8') || '{}');
  } catch {
    return badRequest('The request body is not valid JSON.');
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return badRequest('The request body must be a JSON object.');
  const p = patch as Record<string, unknown>;
  const next = { ...ctx.store.settings };
  if ('source' in p) {
    if (p['source'] !== 'cloud' && p['source'] !== 'onPremises' && p['source'] !== null) {
      return badRequest(`Invalid value '${String(p['source'])}' for source; expected cloud or onPremises.`);
    }
    next.source = p['source'];
  }
  if ('allowedRoles' in p) {
    const roles = p['allowedRoles'];
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return badRequest('allowedRoles must be an array of strings.');
    next.allowedRoles = [...(roles as string[])];
  }
  for (const k of Object.keys(p)) {
    if (!['source', 'allowedRoles', '@odata.type', 'id'].includes(k)) {
      return badRequest(`The property '${k}' does not exist on type 'microsoft.graph.photoUpdateSettings'.`);
    }
  }
  ctx.store.settings = next;
  return jsonResponse(200, body(ctx));
}

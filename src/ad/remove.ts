/**
 * `hps ad remove <user>`: clear one user's photo in Active Directory (thumbnailPhoto, and jpegPhoto when asked),
 * audited; `--dry-run` says what would go.
 */
import type { OnPremUser } from '../model.js';
import { AD_PHOTO_ATTRIBUTES, type AdPhotoAttribute, type AdPhotoChange, type AdPhotos, type AdWriteResult } from '../directory/ldap-writer.js';
import type { AuditLog } from '../state/audit.js';

export interface AdRemoveDeps {
  findUser: () => Promise<OnPremUser>;
  ad: { read(dn: string): Promise<AdPhotos>; write(dn: string, change: AdPhotoChange): Promise<AdWriteResult> };
  audit?: AuditLog;
  runId: string;
}

export interface AdRemoveResult {
  user: { dn: string; objectGuid: string; userPrincipalName?: string; sAMAccountName?: string };
  /** Attributes that held a photo and were (or, with --dry-run, would be) cleared. */
  cleared: AdPhotoAttribute[];
  dryRun: boolean;
  result?: AdWriteResult;
}

export async function runAdRemove(deps: AdRemoveDeps, opts: { jpegPhoto: boolean; dryRun: boolean }): Promise<AdRemoveResult> {
  const u = await deps.findUser();
  const user = { dn: u.dn, objectGuid: u.objectGuid, ...(u.userPrincipalName ? { userPrincipalName: u.userPrincipalName } : {}), ...(u.sAMAccountName ? { sAMAccountName: u.sAMAccountName } : {}) };
  const have = await deps.ad.read(u.dn);
  const wanted: readonly AdPhotoAttribute[] = opts.jpegPhoto ? AD_PHOTO_ATTRIBUTES : ['thumbnailPhoto'];
  const cleared = wanted.filter((a) => have[a] !== undefined);
  const out: AdRemoveResult = { user, cleared, dryRun: opts.dryRun };
  if (cleared.length === 0) return out;
  const event = {
    runId: deps.runId, dn: u.dn, objectGuid: u.objectGuid, ...(u.userPrincipalName ? { upn: u.userPrincipalName } : {}),
    action: 'delete' as const, target: 'active-directory' as const, attributes: cleared.join(','), reason: 'hps ad remove',
  };
  if (opts.dryRun) {
    deps.audit?.write({ ...event, result: 'dry-run' });
    return out;
  }
  const result = await deps.ad.write(u.dn, Object.fromEntries(cleared.map((a) => [a, null])));
  deps.audit?.write({ ...event, result: result.ok ? 'ok' : 'error', ...(result.ok ? {} : { error: [result.errorId, result.message, result.advice].filter(Boolean).join(': ') }) });
  return { ...out, result };
}

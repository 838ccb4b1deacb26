/**
 * `hps ad remove <user>`: clear one user's photo in Active Directory (thumbnailPhoto, and jpegPhoto when asked),
 * audited; `--dry-run` says what would go.
 */
import { AD_PHOTO_ATTRIBUTES, type AdPhotoAttribute, type AdPhotoChange, type AdPhotos, type AdWriteResult, type OnPremUser } from '../model.js';
import type { AuditLog } from '../state/audit.js';
import { createAdRecorder } from '../sync/apply/ad-record.js';
import type { AdRemoveResult } from '../sync/decide/ad-plan.js';

export type { AdRemoveResult } from '../sync/decide/ad-plan.js';

export interface AdRemoveDeps {
  findUser: () => Promise<OnPremUser>;
  ad: { read(dn: string): Promise<AdPhotos>; write(dn: string, change: AdPhotoChange): Promise<AdWriteResult> };
  audit?: AuditLog;
  runId: string;
}

export async function runAdRemove(deps: AdRemoveDeps, opts: { jpegPhoto: boolean; dryRun: boolean }): Promise<AdRemoveResult> {
  const u = await deps.findUser();
  const user = { dn: u.dn, objectGuid: u.objectGuid, ...(u.userPrincipalName ? { userPrincipalName: u.userPrincipalName } : {}), ...(u.sAMAccountName ? { sAMAccountName: u.sAMAccountName } : {}) };
  const have = await deps.ad.read(u.dn);
  const wanted: readonly AdPhotoAttribute[] = opts.jpegPhoto ? AD_PHOTO_ATTRIBUTES : ['thumbnailPhoto'];
  const cleared = wanted.filter((a) => have[a] !== undefined);
  const out: AdRemoveResult = { user, cleared, dryRun: opts.dryRun };
  if (cleared.length === 0) return out;
  const recorder = createAdRecorder(deps.audit, deps.runId);
  const item = { user: u, action: 'delete' as const, attributes: cleared, reason: 'hps ad remove' };
  if (opts.dryRun) {
    recorder.planned(item);
    return out;
  }
  const result = await deps.ad.write(u.dn, Object.fromEntries(cleared.map((a) => [a, null])));
  recorder.written(item, result);
  return { ...out, result };
}

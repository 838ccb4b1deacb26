/**
 * The audit of AD writes (`hps ad import`, `hps ad remove`, the AD step of the write modes): one line per write,
 * failure or dry-run decision, with `"target":"active-directory"` and the attributes. The one place those lines are
 * made; the AD import keeps no state beyond the run record (AD itself is compared every run).
 */
import type { Action, AdPhotoAttribute, AdWriteResult, OnPremUser } from '../../model.js';
import type { AuditLog } from '../../state/audit.js';

export interface AdAuditItem {
  user: Pick<OnPremUser, 'dn' | 'objectGuid' | 'userPrincipalName'>;
  action: Action;
  attributes: readonly AdPhotoAttribute[];
  reason: string;
  file?: string;
}

export interface AdRecorder {
  /** What a dry run would have written. */
  planned(item: AdAuditItem): void;
  /** The outcome of one write. */
  written(item: AdAuditItem, result: AdWriteResult): void;
}

export function describeAdFailure(r: AdWriteResult): string {
  return [r.errorId, r.message, r.advice].filter(Boolean).join(': ');
}

export function createAdRecorder(audit: AuditLog | undefined, runId: string): AdRecorder {
  const line = (item: AdAuditItem, result: 'ok' | 'error' | 'dry-run', error?: string): void =>
    audit?.write({
      runId, dn: item.user.dn, objectGuid: item.user.objectGuid, ...(item.user.userPrincipalName ? { upn: item.user.userPrincipalName } : {}),
      action: item.action, target: 'active-directory', attributes: item.attributes.join(','),
      reason: item.file ? `${item.reason} (file ${item.file})` : item.reason, result, ...(error ? { error } : {}),
    });
  return {
    planned: (item) => line(item, 'dry-run'),
    written: (item, r) => line(item, r.ok ? 'ok' : 'error', r.ok ? undefined : describeAdFailure(r)),
  };
}

/**
 * Classified users for renderer tests: every status, non-ASCII names, and (optionally) thumbnails of real photos
 * for the users that need attention.
 */
import { STATUSES, type Status } from '../../src/model.js';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';

export const NON_ASCII_NAMES = ['Zoë Ångström', '山田 太郎', 'Jürgen Müller-Lüdenscheidt', 'Ольга Петрова', 'Siobhán Ó Briain', 'أحمد علي', 'Łukasz Żółć', 'Renée 🙂 Dubois'];

export function reasonFor(status: Status, i: number): string {
  switch (status) {
    case 'in-sync':
      return `same picture (distance 0.0${i % 10})`;
    case 'drifted':
      return `cloud photo differs from thumbnailPhoto (distance 0.${30 + (i % 60)})`;
    case 'missing-in-cloud':
      return 'the cloud has no photo; the source has one (jpegPhoto)';
    case 'missing-in-source':
      return 'cloud has a photo; the source has none';
    case 'unmatched':
      return 'no cloud user found (tried immutableId; userPrincipalName)';
    case 'blocked':
      return 'photo updates are blocked by the tenant policy';
    case 'error':
      return 'source photo: The JPEG image is corrupt or truncated';
  }
}

export function classifiedUser(n: number, status: Status, i: number): ClassifiedUser {
  const name = NON_ASCII_NAMES[n % NON_ASCII_NAMES.length] ?? 'User';
  const sam = `user${String(n).padStart(5, '0')}`;
  const matched = status !== 'unmatched';
  const hasDistance = status === 'in-sync' || status === 'drifted';
  return {
    upn: `${sam}@contoso.example`,
    dn: `CN=${name} ${n},OU=Staff,OU=Europe,DC=corp,DC=contoso,DC=example`,
    objectGuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    immutableId: Buffer.from(`guid-${n}`).toString('base64'),
    sAMAccountName: sam,
    displayName: `${name} ${n}`,
    cloudId: matched ? `cloud-${String(n).padStart(6, '0')}` : null,
    matchedBy: matched ? 'immutableId' : null,
    status,
    reason: reasonFor(status, i),
    distance: hasDistance ? Math.round(((status === 'drifted' ? 0.3 : 0) + (i % 60) / 100) * 1000) / 1000 : null,
    route: n % 5 === 0 ? 'exchange-onprem' : 'graph',
    routeWhy: n % 5 === 0 ? 'mailbox on on-prem Exchange (msExchRecipientTypeDetails=1)' : 'mailbox in Exchange Online (RemoteUserMailbox)',
    sourceOrigin: 'thumbnailPhoto',
    sourceSha256: null,
    sourcePhash: null,
    cloudEtag: null,
    cloudPhash: null,
  };
}

export function usersPerStatus(per: Readonly<Record<Status, number>>): ClassifiedUser[] {
  const users: ClassifiedUser[] = [];
  let n = 0;
  for (const status of STATUSES) for (let i = 0; i < per[status]; i += 1, n += 1) users.push(classifiedUser(n, status, i));
  return users;
}

/** Which photos a report run has in hand for a user of this status (see docs/report-format.md). */
export function photosSeen(status: string): { source: boolean; cloud: boolean } {
  return {
    source: ['drifted', 'missing-in-cloud', 'unmatched', 'in-sync', 'blocked'].includes(status),
    cloud: ['drifted', 'in-sync'].includes(status),
  };
}

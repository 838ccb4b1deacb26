/**
 * The tenant's photo update settings (GET /beta/admin/people/photoUpdateSettings). With `source: onPremises`,
 * cloud writes are blocked and photos must come through directory sync or Exchange. Reading it is best effort:
 * missing permission, an older cloud or a network failure give `unknown`, never an exception.
 */
import { adviceForGraphStatus, describe, parseGraphError } from './errors.js';
import type { GraphHttp } from './http.js';

export interface PhotoUpdatePolicy {
  source: 'cloud' | 'onPremises' | 'unknown';
  /** False only when the tenant positively says photos are managed on-premises. */
  allowsCloudWrites: boolean;
  /** One line for reports and `doctor`. */
  detail: string;
}

export const PHOTO_UPDATE_SETTINGS_PATH = '/admin/people/photoUpdateSettings';

export async function readPhotoUpdatePolicy(http: GraphHttp): Promise<PhotoUpdatePolicy> {
  let res;
  try {
    res = await http.send({ method: 'GET', version: 'beta', path: PHOTO_UPDATE_SETTINGS_PATH });
  } catch (err) {
    const advice = (err as { advice?: unknown }).advice;
    return unknown(`Could not read the photo update settings: ${describe(err)}${typeof advice === 'string' ? ` ${advice}` : ''}`);
  }
  if (res.status !== 200) {
    const body = parseGraphError(res.json());
    return unknown(`Photo update settings unreadable (HTTP ${res.status}${body.code ? ` ${body.code}` : ''}). ${adviceForGraphStatus(res.status, 'read-policy', body).advice}`);
  }
  return policyFromSettings(res.json());
}

/** Interprets the settings body (an object, or a collection holding one). */
export function policyFromSettings(body: unknown): PhotoUpdatePolicy {
  let settings = body as Record<string, unknown> | undefined;
  const value = settings?.value;
  if (Array.isArray(value)) settings = value[0] as Record<string, unknown> | undefined;
  const source = settings?.source;
  if (source === 'cloud') {
    return { source: 'cloud', allowsCloudWrites: true, detail: 'Photo updates are managed in the cloud; Graph writes are allowed.' };
  }
  if (source === 'onPremises') {
    return {
      source: 'onPremises',
      allowsCloudWrites: false,
      detail:
        'Photo updates are managed on-premises (photoUpdateSettings source = onPremises): Graph photo writes are blocked. ' +
        'Let directory sync carry thumbnailPhoto, use the Exchange route, or set source to cloud (PeopleSettings.ReadWrite.All).',
    };
  }
  return unknown(`Photo update settings report an unrecognised source ${JSON.stringify(source ?? null)}; assuming writes are allowed.`);
}

function unknown(detail: string): PhotoUpdatePolicy {
  return { source: 'unknown', allowsCloudWrites: true, detail };
}

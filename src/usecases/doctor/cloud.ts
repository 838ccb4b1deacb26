/**
 * Doctor checks of the cloud side through the real Graph adapter: sign-in (secret or certificate), the token's
 * roles against what each feature needs, the tenant's photoUpdateSettings, Graph reachable and one user's photo
 * readable. Secrets are read from the environment by openCloud and never appear in a check.
 */
import type { Logger } from 'pino';
import { openCloud } from '../wiring.js';
import type { Config } from '../../config/schema.js';
import type { Env } from '../../config/secrets.js';
import type { CloudConnection } from '../../cloud/connect.js';
import type { CloudUser } from '../../model.js';
import { inspectPhoto } from '../../photo/decode.js';
import { explain, fail, failKindOf, ok, skip, warn, type Check } from './checks.js';
import { has, LEAST, tokenRoles, type Need } from './roles.js';


/** Users looked at for a sample photo. */
const PHOTO_SAMPLE = 20;

function credentialText(cfg: Config): string {
  return cfg.cloud.certificate ? `a certificate (${cfg.cloud.certificate.certificateFile})` : `a client secret (from $${cfg.cloud.clientSecretEnv})`;
}

function rolesCheck(cfg: Config, roles: string[] | undefined): Check {
  if (roles === undefined) return warn('cloud-roles', 'the access token is not a readable JWT; roles unknown', 'Check the permissions by hand (docs/permissions.md).');
  const list = roles.length > 0 ? roles.join(', ') : 'none';
  const missing = (needs: Need[]): Need[] => needs.filter((n) => !has(roles, n));
  const forReport = missing(['users.read', 'photo.read']);
  if (forReport.length > 0) {
    const grant = forReport.map((n) => LEAST[n]).join(' and ');
    const consent = roles.length === 0 ? ' (no roles at all: was admin consent granted?)' : '';
    return fail('cloud-roles', `roles: ${list}${consent}; report, reconcile and fix cannot read the tenant`, `Grant the application permission ${grant} with admin consent (docs/permissions.md).`);
  }
  const canWrite = has(roles, 'photo.write');
  const canPolicy = has(roles, 'settings.read');
  const features = [`report yes`, `reconcile/fix ${canWrite ? 'yes' : 'NO'}`, `delete ${cfg.reconcile.allowDelete ? (canWrite ? 'yes' : 'NO') : 'off in config'}`, `read photo policy ${canPolicy ? 'yes' : 'no'}`];
  const detail = `roles: ${list}; ${features.join(', ')}`;
  // With writeMode "ad" reconcile writes AD's thumbnailPhoto and Entra Connect carries it: no Graph writes (fix still makes them).
  const graphWrites = cfg.reconcile.writeMode !== 'ad';
  if (!canWrite && graphWrites) return warn('cloud-roles', detail, `Read-only: every reconcile/fix write through Graph would fail. Grant ${LEAST['photo.write']} with admin consent to write photos.`);
  if (!canPolicy) return warn('cloud-roles', detail, `Grant ${LEAST['settings.read']} so runs know whether the tenant blocks cloud photo writes (optional).`);
  return ok('cloud-roles', detail);
}

async function policyCheck(cloud: CloudConnection): Promise<Check> {
  const p = await cloud.readPolicy();
  if (p.source === 'cloud') return ok('cloud-photo-policy', p.detail);
  if (p.source === 'onPremises') return warn('cloud-photo-policy', p.detail, 'Graph photo writes will be refused: route users through Exchange, let directory sync carry thumbnailPhoto, or set source to cloud.');
  return warn('cloud-photo-policy', p.detail, 'Runs will try Graph writes without knowing the tenant policy.');
}

async function graphCheck(cloud: CloudConnection): Promise<Check> {
  const users: CloudUser[] = [];
  try {
    for await (const u of cloud.reader.users()) {
      users.push(u);
      if (users.length >= PHOTO_SAMPLE) break;
    }
  } catch (err) {
    const { detail, advice } = explain(err);
    return fail('cloud-graph', `listing users: ${detail}`, advice || 'Check cloud.graphBaseUrl, proxies and the User.Read.All permission.');
  }
  if (users.length === 0) return warn('cloud-graph', 'Graph answered, but the tenant lists no users', 'Check cloud.tenantId: is this the right tenant?');
  const metas = await cloud.reader.photoMeta(users.map((u) => u.id));
  let firstError: string | undefined;
  for (const u of users) {
    const m = metas.get(u.id);
    if (!m) continue;
    if ('error' in m) {
      firstError ??= `${m.error.message}${m.error.advice ? ` ${m.error.advice}` : ''}`;
      continue;
    }
    if (!m.exists) continue;
    const bytes = (await cloud.reader.photoBytes([u.id])).get(u.id);
    if (!bytes || !Buffer.isBuffer(bytes)) continue;
    try {
      const info = await inspectPhoto(bytes);
      return ok('cloud-graph', `listed users; ${u.userPrincipalName}'s photo read: ${info.width}×${info.height} ${info.format}, ${bytes.length} bytes`);
    } catch (err) {
      return warn('cloud-graph', `${u.userPrincipalName}'s photo could not be decoded: ${explain(err).detail}`, 'A corrupt cloud photo is reported as an error for that user.');
    }
  }
  if (firstError) return fail('cloud-graph', `listed users, but reading photos failed: ${firstError}`, 'Grant ProfilePhoto.Read.All (or User.Read.All) with admin consent (docs/permissions.md).');
  return ok('cloud-graph', `listed users; none of the first ${users.length} has a cloud photo to read`);
}

export async function checkCloud(cfg: Config, env: Env, log: Logger): Promise<Check[]> {
  const rest = (why: string): Check[] => [skip('cloud-roles', why), skip('cloud-photo-policy', why), skip('cloud-graph', why)];
  let cloud: CloudConnection;
  try {
    cloud = await openCloud(cfg, env, log);
  } catch (err) {
    const { detail, advice } = explain(err);
    return [fail('cloud-sign-in', detail, advice || 'Fix the cloud section of the config (docs/configuration.md).', failKindOf(err)), ...rest('not tried: no sign-in')];
  }
  try {
    let token: string;
    try {
      token = await cloud.tokens.getToken();
    } catch (err) {
      const { detail, advice } = explain(err);
      return [fail('cloud-sign-in', detail, advice || 'Check tenantId, clientId and the credential.', failKindOf(err)), ...rest('not tried: no sign-in')];
    }
    const checks = [ok('cloud-sign-in', `app ${cfg.cloud.clientId} signed in to tenant ${cfg.cloud.tenantId} with ${credentialText(cfg)}`)];
    checks.push(rolesCheck(cfg, tokenRoles(token)));
    checks.push(await policyCheck(cloud));
    checks.push(await graphCheck(cloud));
    return checks;
  } finally {
    await cloud.close();
  }
}

/**
 * Doctor checks of the on-prem side: reach the DC, verify its certificate, bind, find the base DN, read a sample
 * of users (photos, paged search, msExchRecipientTypeDetails and what routing will do). Uses the real LDAP/LDIF
 * readers through openDirectory; the sample (at most SAMPLE users, photos dropped) feeds the photo-folder check.
 */
import type { Logger } from 'pino';
import { openDirectory, routingFrom } from '../wiring.js';
import { ConfigError } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { Env } from '../../config/secrets.js';
import { DirectoryAuthError, DirectoryConfigError, DirectoryConnectError } from '../../directory/errors.js';
import { LdapDirectorySource } from '../../directory/ldap.js';
import type { DirectorySource } from '../../directory/source.js';
import type { OnPremUser } from '../../model.js';
import { decideRoute } from '../../sync/decide/route.js';
import { explain, fail, ok, skip, warn, type Check } from './checks.js';

/** Users read to judge photos, paging and routing. */
export const SAMPLE = 100;


export interface DirectoryChecks {
  checks: Check[];
  /** Users read (without photo bytes), for the photo-folder check. */
  sample: OnPremUser[];
}

function connectFailure(cfg: Config, err: unknown): Check[] {
  const { detail, advice } = explain(err);
  if (err instanceof ConfigError) {
    // The bind password is not in the environment: nothing was tried.
    return [skip('directory-reachable', 'not tried: no bind password'), skip('directory-tls', 'not tried: no bind password'), fail('directory-bind', detail, 'Set the environment variable named by directory.passwordEnv for the account that runs hps.', 'config')];
  }
  if (err instanceof DirectoryConfigError) {
    return [fail('directory-reachable', detail, advice || 'Fix the directory section of the config.', 'config'), skip('directory-tls', 'not tried'), skip('directory-bind', 'not tried')];
  }
  if (err instanceof DirectoryAuthError) {
    return [ok('directory-reachable', `the DC at ${hostOf(cfg)} answered`), ok('directory-tls', tlsDetail(cfg)), fail('directory-bind', detail, advice || 'Check directory.bindDn and the password in the environment variable.', 'auth')];
  }
  if (err instanceof DirectoryConnectError && err.reason.startsWith('tls')) {
    return [ok('directory-reachable', `the DC at ${hostOf(cfg)} answered`), fail('directory-tls', detail, advice || 'Give the CA certificate that issued the DC certificate in directory.caFile.'), skip('directory-bind', 'not tried: no TLS session')];
  }
  return [fail('directory-reachable', detail, advice || 'Check the URL, the port and firewalls between here and the DC.'), skip('directory-tls', 'not tried: no connection'), skip('directory-bind', 'not tried: no connection')];
}

function hostOf(cfg: Config): string {
  return cfg.directory.type === 'ldap' ? cfg.directory.url : cfg.directory.file;
}

function tlsDetail(cfg: Config): string {
  if (cfg.directory.type !== 'ldap') return '';
  const how = cfg.directory.startTls ? 'StartTLS' : 'LDAPS';
  return `${how}; the certificate was verified${cfg.directory.caFile ? ` against ${cfg.directory.caFile}` : ' against the system trust store'}`;
}

async function readSample(source: DirectorySource): Promise<{ users: OnPremUser[]; withPhoto: Map<string, number> }> {
  const users: OnPremUser[] = [];
  const withPhoto = new Map<string, number>();
  for await (const u of source.users()) {
    if (u.photo) {
      const origin = u.photo.origin.startsWith('folder:') ? 'folder' : u.photo.origin;
      withPhoto.set(origin, (withPhoto.get(origin) ?? 0) + 1);
    }
    const { photo: _photo, ...rest } = u;
    users.push(rest);
    if (users.length >= SAMPLE) break;
  }
  return { users, withPhoto };
}

function photoCheck(cfg: Config, users: OnPremUser[], withPhoto: Map<string, number>): Check {
  const attrs = cfg.reconcile.photoOrder.filter((p) => p !== 'folder').join(', ') || 'none';
  if (users.length === 0) {
    return warn('directory-photos', 'no users match the filter under the base DN', 'Check directory.baseDn, directory.filter and directory.group: the run would look at nobody.');
  }
  const n = [...withPhoto.values()].reduce((a, b) => a + b, 0);
  const by = [...withPhoto.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
  const errors = users.filter((u) => u.readError).length;
  const errText = errors > 0 ? `; ${errors} with a read error` : '';
  if (n === 0) {
    return warn(
      'directory-photos',
      `none of the first ${users.length} users has a photo in ${attrs}${errText}`,
      'If these users do have photos, the bind account cannot read the photo attributes: grant it read access to thumbnailPhoto/jpegPhoto.',
    );
  }
  return ok('directory-photos', `${n} of the first ${users.length} users have a photo (${by}; looked at ${attrs})${errText}`);
}

function routingCheck(cfg: Config, users: OnPremUser[], inSchema: boolean | undefined): Check {
  const routing = routingFrom(cfg);
  const withAttr = users.filter((u) => u.msExchRecipientTypeDetails !== undefined).length;
  const routes = new Map<string, number>();
  let onPremNoBridge = 0;
  for (const u of users) {
    const d = decideRoute(u, routing);
    routes.set(d.route, (routes.get(d.route) ?? 0) + 1);
    if (d.why.includes('no Exchange bridge configured')) onPremNoBridge += 1;
  }
  const routeText = [...routes.entries()].map(([r, n]) => `${r} ${n}`).join(', ') || 'no users';
  if (inSchema === false) {
    return ok('directory-recipient-type', `not in the directory schema (no Exchange schema): every user takes the default route ${routing.defaultRoute}`);
  }
  const where = cfg.directory.type === 'ldif' ? 'in the export' : 'in the schema';
  const head = `${inSchema === undefined ? 'schema not readable' : where}; set on ${withAttr} of the first ${users.length} users; routes: ${routeText}`;
  if (onPremNoBridge > 0) {
    return warn(
      'directory-recipient-type',
      `${head}; ${onPremNoBridge} have a mailbox on on-prem Exchange but no Exchange bridge is configured`,
      'Add an "exchange" section (mode "onprem") so their photos go through Set-UserPhoto, or accept that Graph writes do not reach on-prem mailboxes (docs/exchange-bridge.md).',
    );
  }
  return ok('directory-recipient-type', head);
}

export async function checkDirectory(cfg: Config, env: Env, log: Logger): Promise<DirectoryChecks> {
  // The directory alone: the HR folder has its own check.
  const plain: Config = { ...cfg, photoFolder: undefined };
  let source: DirectorySource;
  try {
    source = await openDirectory(plain, env, log);
  } catch (err) {
    const rest = ['directory-base-dn', 'directory-photos', 'directory-page-size', 'directory-recipient-type'] as const;
    return { checks: [...connectFailure(cfg, err), ...rest.map((id) => skip(id, 'not tried: no directory connection'))], sample: [] };
  }
  const checks: Check[] = [];
  try {
    let inSchema: boolean | undefined;
    if (source instanceof LdapDirectorySource && cfg.directory.type === 'ldap') {
      const d = cfg.directory;
      checks.push(ok('directory-reachable', `the DC at ${d.url} answered`));
      checks.push(
        d.rejectUnauthorized
          ? ok('directory-tls', tlsDetail(cfg))
          : warn('directory-tls', 'certificate verification is OFF (directory.rejectUnauthorized: false)', 'Give the CA certificate in directory.caFile and remove rejectUnauthorized: anyone on the path could pose as the DC and read the bind password.'),
      );
      checks.push(ok('directory-bind', `bound as ${d.bindDn}`));
      const facts = await source.inspect();
      if (!facts.baseDnExists) {
        checks.push(fail('directory-base-dn', `${d.baseDn} does not exist on the DC`, 'Fix directory.baseDn (the OU or domain DN that holds the users).', 'config'));
        checks.push(...(['directory-photos', 'directory-page-size', 'directory-recipient-type'] as const).map((id) => skip(id, 'not tried: no base DN')));
        return { checks, sample: [] };
      }
      checks.push(ok('directory-base-dn', d.baseDn));
      inSchema = facts.recipientTypeInSchema;
    } else {
      checks.push(skip('directory-tls', 'LDIF export: no connection'), skip('directory-bind', 'LDIF export: no connection'), skip('directory-base-dn', 'LDIF export: no search'));
    }
    let sample: Awaited<ReturnType<typeof readSample>>;
    try {
      sample = await readSample(source);
    } catch (err) {
      const { detail, advice } = explain(err);
      if (cfg.directory.type === 'ldif') {
        checks.unshift(fail('directory-reachable', detail, advice || 'Check directory.file: an ldifde or ldapsearch export.', 'config'));
        checks.push(...(['directory-photos', 'directory-page-size', 'directory-recipient-type'] as const).map((id) => skip(id, 'not tried: the export is unreadable')));
        return { checks, sample: [] };
      }
      checks.push(skip('directory-photos', 'not tried: the search failed'));
      checks.push(fail('directory-page-size', detail, advice || 'Check directory.filter and directory.pageSize (AD allows at most MaxPageSize, 1000 by default).', 'config'));
      checks.push(skip('directory-recipient-type', 'not tried: the search failed'));
      return { checks, sample: [] };
    }
    if (cfg.directory.type === 'ldif') checks.unshift(ok('directory-reachable', `LDIF export ${hostOf(cfg)} readable`));
    checks.push(photoCheck(cfg, sample.users, sample.withPhoto));
    checks.push(
      cfg.directory.type === 'ldap'
        ? ok('directory-page-size', `paged search with pageSize ${cfg.directory.pageSize} accepted; read ${sample.users.length} users`)
        : skip('directory-page-size', 'LDIF export: no paged search'),
    );
    if (inSchema === undefined && cfg.directory.type === 'ldif') inSchema = sample.users.some((u) => u.msExchRecipientTypeDetails !== undefined) ? true : undefined;
    checks.push(routingCheck(cfg, sample.users, inSchema));
    return { checks, sample: sample.users };
  } finally {
    await source.close();
  }
}

/**
 * Builds the readers and writers a command needs from the validated config and the environment. Each call makes
 * its own objects (no singletons); callers close what they open.
 */
import { PEM_MAX_BYTES, readBoundedText } from '../files/bounded-read.js';
import type { Logger } from 'pino';
import { connectCloud, type CloudConnection } from '../cloud/connect.js';
import type { ClientCredential } from '../cloud/auth.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import { optionalSecret, requireSecret, type Env } from '../config/secrets.js';
import { FolderPhotoSource, withFolderPhotos } from '../directory/folder.js';
import { LdifDirectorySource } from '../directory/ldif.js';
import type { DirectorySource } from '../directory/source.js';
import type { PhotoPrint } from '../model.js';
import { comparePrints } from '../photo/compare.js';
import type { ComparePrints } from '../sync/decide/classify.js';
import type { RoutingConfig } from '../sync/decide/route.js';
import type { Thresholds } from '../sync/decide/thresholds.js';

type PhotoAttr = 'thumbnailPhoto' | 'jpegPhoto';

function directoryPhotoOrder(cfg: Config): PhotoAttr[] {
  return cfg.reconcile.photoOrder.filter((p): p is PhotoAttr => p !== 'folder');
}

export async function openDirectory(cfg: Config, env: Env, log: Logger): Promise<DirectorySource> {
  const d = cfg.directory;
  const photoOrder = directoryPhotoOrder(cfg);
  let source: DirectorySource;
  if (d.type === 'ldif') {
    source = new LdifDirectorySource({ file: d.file, photoOrder });
  } else {
    // ldapts is loaded only for an LDAP source (docs/decisions.md, "Memory": a command loads what it uses).
    const { openLdapSource } = await import('../directory/ldap.js');
    source = await openLdapSource(
      {
        url: d.url,
        startTls: d.startTls,
        bindDn: d.bindDn,
        password: requireSecret(env, d.passwordEnv, 'the LDAP bind password'),
        baseDn: d.baseDn,
        ...(d.filter ? { filter: d.filter } : {}),
        ...(d.group ? { groupDn: d.group } : {}),
        pageSize: d.pageSize,
        tls: { ...(d.caFile ? { caFile: d.caFile } : {}), ...(d.servername ? { servername: d.servername } : {}), rejectUnauthorized: d.rejectUnauthorized },
        timeouts: { connectMs: d.timeoutMs, operationMs: Math.max(d.timeoutMs, 60000) },
        photoOrder,
      },
      { logger: { warn: (m) => log.warn(m), info: (m) => log.info(m) } },
    );
  }
  // The HR folder wins only when the configured order puts it first.
  if (cfg.photoFolder && cfg.reconcile.photoOrder[0] === 'folder') {
    return withFolderPhotos(source, new FolderPhotoSource({ dir: cfg.photoFolder.path, patterns: [cfg.photoFolder.pattern] }));
  }
  return source;
}

async function credentialFrom(cfg: Config, env: Env): Promise<ClientCredential> {
  const c = cfg.cloud.certificate;
  if (!c) return { kind: 'secret', secret: requireSecret(env, cfg.cloud.clientSecretEnv, 'the client secret') };
  const read = async (path: string, what: string): Promise<string> => {
    try {
      return await readBoundedText(path, { maxBytes: PEM_MAX_BYTES });
    } catch (err) {
      throw new ConfigError(`cannot read the ${what} ${path}: ${(err as Error).message.replace(path, 'it')}`, { cause: err });
    }
  };
  const passphrase = optionalSecret(env, c.privateKeyPasswordEnv);
  return {
    kind: 'certificate',
    privateKeyPem: await read(c.privateKeyFile, 'certificate private key'),
    certificatePem: await read(c.certificateFile, 'certificate'),
    ...(passphrase ? { passphrase } : {}),
  };
}

export async function openCloud(cfg: Config, env: Env, log: Logger): Promise<CloudConnection> {
  const c = cfg.cloud;
  return connectCloud({
    tenantId: c.tenantId,
    clientId: c.clientId,
    credential: await credentialFrom(cfg, env),
    cloud: c.environment,
    ...(c.authorityHost ? { authorityHost: c.authorityHost } : {}),
    ...(c.graphBaseUrl ? { graphBaseUrl: c.graphBaseUrl } : {}),
    ...(c.caFile ? { caFile: c.caFile } : {}),
    maxInFlight: c.maxInFlight,
    retry: { maxTries: c.maxTries },
    connectTimeoutMs: c.connectTimeoutSeconds * 1000,
    answerTimeoutMs: c.answerTimeoutSeconds * 1000,
    ...(c.deadlineMinutes !== undefined ? { deadlineMinutes: c.deadlineMinutes } : {}),
    // App-only tokens never carry client_info; MSAL warns about it on every token. Not news for an admin.
    log: (level, message) => (/No client info in response/.test(message) ? log.debug(message) : log[level](message)),
  });
}

export function comparator(cfg: Config): ComparePrints {
  const threshold = cfg.compare.threshold;
  return (a: PhotoPrint, b: PhotoPrint) => comparePrints(a, b, threshold === undefined ? {} : { structureThreshold: threshold });
}

export function routingFrom(cfg: Config): RoutingConfig {
  // Only an `onprem` bridge serves the exchange-onprem route; legacy/exo bridges serve exchange-legacy.
  return { defaultRoute: cfg.routing.defaultRoute, onPremExchangeConfigured: cfg.exchange?.mode === 'onprem', overrides: cfg.routing.overrides };
}

/** The safety thresholds from the config; `population` is the matched users the state knew before this run. */
export function thresholdsFrom(cfg: Config, population: number): Thresholds {
  const r = cfg.reconcile;
  return { deleteThreshold: r.deleteThreshold, changeThreshold: r.changeThreshold, changeThresholdPercent: r.changeThresholdPercent, percentFloor: 20, population };
}

/** The read stage's view of the cloud budget: its allowance now, when the connection has one (tests may not). */
export function allowanceOf(cloud: Partial<Pick<CloudConnection, 'limiter'>>): { allowance?: () => number } {
  const { limiter } = cloud;
  return limiter ? { allowance: () => limiter.concurrency } : {};
}

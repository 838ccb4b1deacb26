/**
 * The configuration file (hybrid-photo-sync.config.json), validated with zod. Secrets never live here: the file
 * names the environment variables that hold them (docs/configuration.md).
 */
import { z } from 'zod';
import { MATCH_KEYS, ROUTES } from '../model.js';

export const WRITE_MODES = ['cloud', 'ad', 'both'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/** Perceptual distances run from 0 (same pixels) to 1; a threshold outside that would make every pair alike or unlike. */
const DISTANCE = 'must be a distance between 0 and 1';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const ldapDirectory = z.strictObject({
  type: z.literal('ldap'),
  url: z.string().regex(/^ldaps?:\/\//i, 'must start with ldaps:// or ldap:// (ldap:// needs startTls: true)'),
  startTls: z.boolean().default(false),
  bindDn: z.string().min(1),
  passwordEnv: envName.default('HPS_LDAP_PASSWORD'),
  baseDn: z.string().min(1),
  /** RFC 4515 filter for users in scope; absent: the directory reader's DEFAULT_USER_FILTER (directory/filter.ts). */
  filter: z.string().min(1).optional(),
  group: z.string().optional(),
  pageSize: z.number().int().min(1).max(1000).default(500),
  caFile: z.string().optional(),
  /** Host name to verify the DC's certificate against, when the URL names the DC differently (e.g. by IP). */
  servername: z.string().optional(),
  /** Turning certificate checks off is explicit and logged as a warning. */
  rejectUnauthorized: z.boolean().default(true),
  timeoutMs: z.number().int().positive().default(30000),
});

const ldifDirectory = z.strictObject({
  type: z.literal('ldif'),
  file: z.string().min(1),
});

const photoFolder = z.strictObject({
  path: z.string().min(1),
  pattern: z.string().default('{sAMAccountName}.{ext}'),
});

const cloud = z
  .strictObject({
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecretEnv: envName.default('HPS_CLIENT_SECRET'),
    certificate: z
      .strictObject({
        privateKeyFile: z.string().min(1),
        certificateFile: z.string().min(1),
        privateKeyPasswordEnv: envName.optional(),
      })
      .optional(),
    environment: z.enum(['global', 'usgov', 'dod', 'china']).default('global'),
    authorityHost: z.string().url().optional(),
    graphBaseUrl: z.string().url().optional(),
    caFile: z.string().optional(),
    maxInFlight: z.number().int().min(1).max(16).default(4),
    maxTries: z.number().int().min(1).max(10).default(5),
    /** TCP + TLS handshake with the sign-in host and Graph. */
    connectTimeoutSeconds: z.number().positive().max(300).default(10),
    /** How long the sign-in host or Graph may stay silent (response headers, then between body chunks). */
    answerTimeoutSeconds: z.number().positive().max(600).default(30),
    /** Optional overall bound on a run's cloud calls: after this many minutes every call fails and the run stops (exit 4). */
    deadlineMinutes: z.number().positive().optional(),
  });

/** Writing photos into AD (`hps ad import`, and reconcile's `ad`/`both` write modes). */
const activeDirectory = z.strictObject({
  /** thumbnailPhoto budget in bytes; AD's schema allows at most 102,400. */
  maxBytes: z.number().int().min(4096).max(102_400, "AD's thumbnailPhoto holds at most 102400 bytes").default(102_400),
  /** Also write jpegPhoto (the same square at full size). */
  jpegPhoto: z.boolean().default(false),
});

const routing = z.strictObject({
  defaultRoute: z.enum(ROUTES).default('graph'),
  overrides: z
    .array(z.strictObject({ upn: z.string().optional(), dnSuffix: z.string().optional(), route: z.enum(ROUTES) }))
    .default([]),
});

const exchange = z
  .strictObject({
    mode: z.enum(['onprem', 'legacy', 'exo']).default('onprem'),
    connectionUri: z.string().url().optional(),
    /** Default: Kerberos for onprem, Basic for legacy. */
    authentication: z.enum(['Kerberos', 'Negotiate', 'Basic', 'Default']).optional(),
    usernameEnv: envName.optional(),
    passwordEnv: envName.optional(),
    organization: z.string().optional(),
    appId: z.string().optional(),
    certificateThumbprint: z.string().optional(),
    pwshPath: z.string().optional(),
    timeoutSeconds: z.number().int().positive().default(120),
    batchSize: z.number().int().min(1).max(500).default(50),
  })
  .refine((e) => (e.usernameEnv === undefined) === (e.passwordEnv === undefined), {
    message: 'give both usernameEnv and passwordEnv, or neither',
    path: ['usernameEnv'],
  });

const reconcile = z.strictObject({
  /** What to do when someone changed the cloud photo since our last push. */
  cloudChangedPolicy: z.enum(['overwrite', 'keep', 'report']).default('report'),
  allowDelete: z.boolean().default(false),
  /** Refuse to apply when deletes exceed this many (Entra Connect's export deletion threshold is 500). */
  deleteThreshold: z.number().int().min(0).default(500),
  /** Refuse to apply when changes exceed this many… */
  changeThreshold: z.number().int().min(0).default(2000),
  /** …or this percentage of matched users (applies from 20 matched users up). */
  changeThresholdPercent: z.number().min(0).max(100).default(50),
  /** Force a full directory read when the last one is older than this many days. */
  fullEveryDays: z.number().positive().default(7),
  /**
   * Where photos are written (docs/write-modes.md): `cloud` through Graph or the Exchange bridge (the default);
   * `ad` only to AD's thumbnailPhoto from photoFolder, for Entra Connect to carry; `both`: AD gets the ≤100 KB copy,
   * the cloud the full-size photo of the same square.
   */
  writeMode: z.enum(WRITE_MODES).default('cloud'),
  /** Source photo preference. */
  photoOrder: z.array(z.enum(['folder', 'thumbnailPhoto', 'jpegPhoto'])).min(1).default(['folder', 'thumbnailPhoto', 'jpegPhoto']),
});

export const configSchema = z.strictObject({
  directory: z.discriminatedUnion('type', [ldapDirectory, ldifDirectory]),
  photoFolder: photoFolder.optional(),
  cloud,
  matching: z.strictObject({ order: z.array(z.enum(MATCH_KEYS)).min(1).default([...MATCH_KEYS]) }).default({ order: [...MATCH_KEYS] }),
  compare: z
    .strictObject({ threshold: z.number().min(0, DISTANCE).max(1, DISTANCE).optional() })
    .default({}),
  routing: routing.default({ defaultRoute: 'graph', overrides: [] }),
  activeDirectory: activeDirectory.default({ maxBytes: 102_400, jpegPhoto: false }),
  exchange: exchange.optional(),
  reconcile: reconcile.default(reconcile.parse({})),
  state: z.strictObject({ path: z.string().optional(), auditLog: z.string().optional() }).default({}),
});

export type Config = z.infer<typeof configSchema>;
export type LdapDirectoryConfig = z.infer<typeof ldapDirectory>;
export type CloudConfig = z.infer<typeof cloud>;
export type ExchangeConfig = z.infer<typeof exchange>;
export type ReconcileConfig = z.infer<typeof reconcile>;

/**
 * Sign-in and Graph root endpoints of the national clouds (learn.microsoft.com/graph/deployments),
 * plus a custom override (TLS-inspecting proxies, sovereign test rigs, the local emulator).
 */
import { CloudConfigError } from './errors.js';

export const NATIONAL_CLOUDS = ['global', 'usgov', 'dod', 'china'] as const;
export type NationalCloud = (typeof NATIONAL_CLOUDS)[number];

export interface CloudEndpoints {
  /** Which cloud the hosts came from; `custom` when either was overridden. */
  cloud: NationalCloud | 'custom';
  /** Entra ID sign-in root, no trailing slash, e.g. `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** Graph service root, no version and no trailing slash, e.g. `https://graph.microsoft.com`. */
  graphBaseUrl: string;
}

const KNOWN: Record<NationalCloud, Omit<CloudEndpoints, 'cloud'>> = {
  global: { authorityHost: 'https://login.microsoftonline.com', graphBaseUrl: 'https://graph.microsoft.com' },
  // US Government L4 (GCC High).
  usgov: { authorityHost: 'https://login.microsoftonline.us', graphBaseUrl: 'https://graph.microsoft.us' },
  // US Government L5 (DoD): same sign-in host as L4, its own Graph host.
  dod: { authorityHost: 'https://login.microsoftonline.us', graphBaseUrl: 'https://dod-graph.microsoft.us' },
  // Operated by 21Vianet.
  china: { authorityHost: 'https://login.chinacloudapi.cn', graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn' },
};

export interface EndpointOptions {
  cloud?: NationalCloud;
  /** Overrides the sign-in root of `cloud`. */
  authorityHost?: string;
  /** Overrides the Graph root of `cloud`. */
  graphBaseUrl?: string;
}

/** Picks the endpoints of a national cloud, applying overrides. Both must be https (MSAL insists for the authority). */
export function resolveEndpoints(opts: EndpointOptions = {}): CloudEndpoints {
  const cloud = opts.cloud ?? 'global';
  const known = KNOWN[cloud];
  if (!known) throw new CloudConfigError(`Unknown cloud "${String(cloud)}"`, { advice: `Use one of: ${NATIONAL_CLOUDS.join(', ')}.` });
  const authorityHost = normaliseRoot(opts.authorityHost ?? known.authorityHost, 'authorityHost');
  const graphBaseUrl = normaliseRoot(opts.graphBaseUrl ?? known.graphBaseUrl, 'graphBaseUrl');
  const custom = authorityHost !== known.authorityHost || graphBaseUrl !== known.graphBaseUrl;
  return { cloud: custom ? 'custom' : cloud, authorityHost, graphBaseUrl };
}

/** `https://host/tenant` as MSAL wants it. */
export function authorityUrl(endpoints: CloudEndpoints, tenantId: string): string {
  if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) {
    throw new CloudConfigError(`Tenant ID "${tenantId}" is not a GUID or domain name`, { advice: 'Use the directory (tenant) ID from the Entra admin center.' });
  }
  return `${endpoints.authorityHost}/${tenantId}`;
}

/** The `host[:port]` MSAL lists in `knownAuthorities`, so it never asks the global instance discovery endpoint. */
export function authorityHostName(endpoints: CloudEndpoints): string {
  return new URL(endpoints.authorityHost).host;
}

/** The app-only scope for Graph in this cloud: `${graphBaseUrl}/.default`. */
export function graphScope(endpoints: CloudEndpoints): string {
  return `${endpoints.graphBaseUrl}/.default`;
}

function normaliseRoot(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw new CloudConfigError(`${what} "${value}" is not a URL`, { cause: err, advice: `Give ${what} as https://host[:port].` });
  }
  if (url.protocol !== 'https:') {
    throw new CloudConfigError(`${what} "${value}" must use https`, { advice: 'Entra ID and Graph are only reachable over https; for a private CA, pass the extra CA file.' });
  }
  if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new CloudConfigError(`${what} "${value}" must be a bare root (no path or query)`, { advice: `Give ${what} as https://host[:port], without /v1.0 or a tenant.` });
  }
  return `${url.protocol}//${url.host}`;
}

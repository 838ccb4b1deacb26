/**
 * Which writer carries a user's photo: decided here, purely, from the directory data and the config.
 */
import { RECIPIENT_TYPE, type OnPremUser, type Route } from '../../model.js';

export interface RouteOverride {
  /** Case-insensitive matches; all given fields must match. */
  upn?: string;
  /** DN suffix, e.g. an OU: `OU=Legacy,DC=corp,DC=example,DC=com`. */
  dnSuffix?: string;
  route: Route;
}

export interface RoutingConfig {
  /** Route for users without an on-prem mailbox (RemoteUserMailbox, no mailbox). `exchange-legacy` for legacy tenants. */
  defaultRoute: Route;
  /** Whether the on-prem Exchange bridge is configured; without it on-prem mailboxes fall back to Graph with a warning. */
  onPremExchangeConfigured: boolean;
  overrides: RouteOverride[];
}

export interface RouteDecision {
  route: Route;
  why: string;
}

export const DEFAULT_ROUTING: RoutingConfig = { defaultRoute: 'graph', onPremExchangeConfigured: false, overrides: [] };

function overrideMatches(o: RouteOverride, user: OnPremUser): boolean {
  if (o.upn !== undefined && (user.userPrincipalName ?? '').toLowerCase() !== o.upn.toLowerCase()) return false;
  if (o.dnSuffix !== undefined && !user.dn.toLowerCase().endsWith(o.dnSuffix.toLowerCase())) return false;
  return o.upn !== undefined || o.dnSuffix !== undefined;
}

export function decideRoute(user: OnPremUser, cfg: RoutingConfig = DEFAULT_ROUTING): RouteDecision {
  const override = cfg.overrides.find((o) => overrideMatches(o, user));
  if (override) {
    const what = override.upn !== undefined ? `UPN ${override.upn}` : `DN under ${override.dnSuffix}`;
    return { route: override.route, why: `config override for ${what}` };
  }
  const rtd = user.msExchRecipientTypeDetails;
  if (rtd === RECIPIENT_TYPE.userMailbox) {
    if (cfg.onPremExchangeConfigured) {
      return { route: 'exchange-onprem', why: 'mailbox on on-prem Exchange (msExchRecipientTypeDetails=1)' };
    }
    return {
      route: cfg.defaultRoute,
      why: 'mailbox on on-prem Exchange (msExchRecipientTypeDetails=1) but no Exchange bridge configured; using the default route',
    };
  }
  if (rtd === RECIPIENT_TYPE.remoteUserMailbox) {
    return { route: cfg.defaultRoute, why: 'mailbox in Exchange Online (RemoteUserMailbox)' };
  }
  if (rtd === undefined) return { route: cfg.defaultRoute, why: 'no on-prem mailbox attribute' };
  return { route: cfg.defaultRoute, why: `msExchRecipientTypeDetails=${rtd}` };
}

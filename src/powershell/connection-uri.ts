/**
 * ConnectionUri handling for the Exchange bridge (pure).
 * KB 3062745: remote PowerShell to Exchange Online refuses requests over ~10 KB with "(413) Request Entity Too
 * Large" — which Set-UserPhoto hits with most photos — unless the ConnectionUri carries `proxyMethod=RPS`.
 */
import { ExchangeConfigError } from './errors.js';

/** Checks an http(s) URL and returns it unchanged; throws ExchangeConfigError otherwise. */
export function checkConnectionUri(uri: string): string {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch (err) {
    throw new ExchangeConfigError(`Exchange ConnectionUri is not a valid URL: ${uri}`, { cause: err, advice: 'Use http(s)://SERVER/PowerShell/ for on-prem Exchange.' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ExchangeConfigError(`Exchange ConnectionUri must be http or https: ${uri}`, { advice: 'Use http(s)://SERVER/PowerShell/ for on-prem Exchange.' });
  }
  return uri;
}

/**
 * Returns `uri` with `proxyMethod=RPS` in its query: added when missing (after any other parameters, which are kept
 * as they are), its value set to RPS when the parameter is there with another value, unchanged when already there.
 */
export function withProxyMethodRps(uri: string): string {
  checkConnectionUri(uri.trim());
  const trimmed = uri.trim();
  const hashAt = trimmed.indexOf('#');
  const beforeHash = hashAt < 0 ? trimmed : trimmed.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : trimmed.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);
  const params = query.split('&').filter((p) => p.length > 0);
  let found = false;
  const kept = params.map((p) => {
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    if (decodeURIComponentSafe(name).toLowerCase() !== 'proxymethod') return p;
    found = true;
    const value = eq < 0 ? '' : p.slice(eq + 1);
    return value.toUpperCase() === 'RPS' ? p : `${name}=RPS`;
  });
  if (!found) kept.push('proxyMethod=RPS');
  return `${base}?${kept.join('&')}${hash}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

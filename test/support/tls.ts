/**
 * Trusting a local test CA in-process, without NODE_EXTRA_CA_CERTS (which Node reads only at start-up)
 * and without disabling verification: an undici Agent with the CA, used by
 * - MSAL Node through `system.networkClient` (msalNetworkClient), and
 * - the Graph JS client through `fetchOptions: { dispatcher }` (global fetch honours undici dispatchers).
 */
import { readFileSync } from 'node:fs';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { FetchOptions } from '@microsoft/microsoft-graph-client';
import { Agent, fetch as undiciFetch, type RequestInit } from 'undici';

export interface LocalTrust {
  /** CA PEM text. */
  ca: string;
  /** undici dispatcher that trusts the CA (and the system roots are not needed for loopback). */
  dispatcher: Agent;
  /** For ConfidentialClientApplication's `system.networkClient`. */
  networkClient: INetworkModule;
  /** For Client.initWithMiddleware's `fetchOptions` (its type is DOM RequestInit, which has no `dispatcher`). */
  fetchOptions: FetchOptions & { dispatcher: Agent };
  /** fetch that trusts the CA. */
  fetch: (url: string, init?: RequestInit) => ReturnType<typeof undiciFetch>;
  close(): Promise<void>;
}

/** MSAL's network module over undici fetch with a trusting dispatcher (same contract as MSAL's HttpClient). */
export function msalNetworkClient(dispatcher: Agent): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const signal = timeout ? AbortSignal.timeout(timeout) : undefined;
    const res = await undiciFetch(url, {
      method,
      headers: options?.headers,
      body: method === 'POST' ? (options?.body ?? '') : undefined,
      dispatcher,
      signal,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { headers, body: (await res.json()) as T, status: res.status };
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>(url, 'GET', options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>(url, 'POST', options),
  };
}

export function trustLocalCa(caCertPath: string): LocalTrust {
  const ca = readFileSync(caCertPath, 'utf8');
  const dispatcher = new Agent({ connect: { ca } });
  return {
    ca,
    dispatcher,
    networkClient: msalNetworkClient(dispatcher),
    fetchOptions: Object.assign({} as FetchOptions, { dispatcher }),
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher }),
    close: () => dispatcher.close(),
  };
}

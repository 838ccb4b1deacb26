/**
 * Public types of the Microsoft Graph emulator. Re-exported from index.ts; other tests and benchmarks code
 * against these shapes, so change them only additively.
 */

/** An app registration that may get tokens (client-credentials flow). */
export interface EmulatorClient {
  clientId: string;
  secret?: string;
  /** PEM of the public certificate whose private key signs client assertions. */
  certificatePem?: string;
  /** Application permissions granted (admin-consented), e.g. `User.Read.All`. */
  roles: string[];
}

/** A cloud user. */
export interface EmulatorUser {
  /** Object id; a GUID derived from tenantId + userPrincipalName when absent. */
  id?: string;
  userPrincipalName: string;
  mail?: string | null;
  displayName?: string | null;
  onPremisesImmutableId?: string | null;
  onPremisesSyncEnabled?: boolean | null;
  /** Image path relative to the state file (or absolute), or null for no photo. */
  photo?: string | null;
  /** With no photo, serve the metadata of a 1×1 gif instead of 404 for GET …/photo. */
  photoPlaceholder?: boolean;
}

/** The JSON state file format (documented in README.md). */
export interface EmulatorState {
  tenantId: string;
  clients: EmulatorClient[];
  users: EmulatorUser[];
  photoUpdateSettings?: { source: 'cloud' | 'onPremises' };
}

/** Throttling and fault injection. Every field is optional; `faults()` reports the effective values. */
export type ConcurrencyScope = 'app' | 'mailbox';

export interface FaultConfig {
  /** Concurrent Graph requests (and batch items) per app (or per app per mailbox, see concurrencyScope) before 429. Default 4. */
  maxInFlightPerApp?: number;
  /**
   * Which of Microsoft's two readings of the 4-concurrent rule is enforced: `app` (per app across mailboxes, the
   * default and the stricter one) or `mailbox` (per app per mailbox: requests about different users do not count
   * against each other). See docs/graph-emulator README.
   */
  concurrencyScope?: ConcurrencyScope;
  /** Retry-After sent with 429 and 503, in seconds; may be fractional. Default 2.128. */
  retryAfterSeconds?: number;
  /** Delay added to every Graph request and batch item while it holds its in-flight slot. Default 0. */
  latencyMs?: number;
  /** 0..1: share of Graph requests answered 503 (with Retry-After) or 504. Default 0. */
  errorRate?: number;
  /** 0..1: share of top-level Graph requests whose socket is destroyed without an answer. Default 0. */
  resetRate?: number;
  /** Seed of the deterministic PRNG behind errorRate/resetRate. Default 1. */
  seed?: number;
  /** Lifetime of issued access tokens. Default 3599. */
  tokenLifetimeSeconds?: number;
}

export interface RequestLogEntry {
  method: string;
  /** URL path without the query string, e.g. `/v1.0/users/{id}/photo/$value`. */
  path: string;
  /** HTTP status; 0 when the socket was destroyed (resetRate). */
  status: number;
  clientId?: string;
  batched: boolean;
  /** Date.now() when the answer was decided. */
  at: number;
  /**
   * How long the request held one of the app's in-flight slots (from taking it to the answer), ms; absent when it
   * took none (token, $batch envelope, answers refused before the slot check, 429).
   */
  heldMs?: number;
}

export interface EmulatorControl {
  /** Replace the fault configuration (missing fields take their defaults) and reseed the PRNG. */
  setFaults(f: FaultConfig): void;
  faults(): FaultConfig;
  requestLog(): RequestLogEntry[];
  clearLog(): void;
  /** Successful PUT/PATCH/DELETE of a user's photo through Graph, per user id, batched or not. */
  writeCounts(): Record<string, number>;
  /** "Someone changed it in the cloud": re-encoded like a PUT, new etag; null deletes. Not counted as a write. */
  setCloudPhoto(userIdOrUpn: string, bytes: Buffer | null): Promise<void>;
  /**
   * Damages the user's stored photo in place (keeps its first half, same etag), as a photo broken in the service
   * would be served: Graph answers with bytes that do not decode.
   */
  corruptCloudPhoto(userIdOrUpn: string): void;
  /** The stored (re-encoded) JPEG, or null. */
  getStoredPhoto(userIdOrUpn: string): Buffer | null;
  setPhotoUpdateSettings(source: 'cloud' | 'onPremises'): void;
  /** "A cloud account appears" (e.g. Entra Connect synced a new user). Returns its object id. */
  addUser(user: { userPrincipalName: string; id?: string; mail?: string; displayName?: string; onPremisesImmutableId?: string }): string;
  /** Tokens issued before this call get 401 InvalidAuthenticationToken from now on. */
  revokeTokens(): void;
}

export interface RunningEmulator {
  /** https://127.0.0.1:PORT */
  baseUrl: string;
  /** Same as baseUrl: /v1.0 and /beta live under it. */
  graphBaseUrl: string;
  /** https://127.0.0.1:PORT/<tenantId> */
  authority: string;
  /** 127.0.0.1:PORT, for MSAL's knownAuthorities. */
  authorityHost: string;
  tenantId: string;
  /** PEM of the CA that signed the server certificate. */
  caCertPath: string;
  control: EmulatorControl;
  stop(): Promise<void>;
}

export interface StartEmulatorOptions {
  /** The state itself, or the path of a JSON state file. */
  state: EmulatorState | string;
  /** 0 (default) picks a free port. */
  port?: number;
  faults?: FaultConfig;
  /** Where the CA and server certificate live; reused when valid. Default: a new temp dir, removed by stop(). */
  certDir?: string;
}

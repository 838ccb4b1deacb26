/**
 * Typed errors of the directory readers. Each carries a plain message meant for the admin (what went wrong
 * and what to do), the underlying error as `cause`, and `advice` where the code knows more.
 */
import { HpsError, type ErrorKind, type HpsErrorOptions } from '../errors.js';

export class DirectoryError extends HpsError {}

/** The reader's configuration cannot work (bad URL, bad filter, unreadable CA file, bad folder pattern). */
export class DirectoryConfigError extends DirectoryError {
  override readonly kind: ErrorKind = 'config';
}

/** Why a connection to the directory failed. */
export type ConnectFailure = 'unreachable' | 'timeout' | 'tls-verify' | 'tls-hostname' | 'tls-required' | 'tls' | 'other';

/** The DC could not be reached or the TLS session could not be established. */
export class DirectoryConnectError extends DirectoryError {
  override readonly kind: ErrorKind = 'connect';
  readonly reason: ConnectFailure;
  constructor(reason: ConnectFailure, message: string, options?: HpsErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The DC refused the bind (wrong password, locked or disabled account, expired password…). */
export class DirectoryAuthError extends DirectoryError {
  override readonly kind: ErrorKind = 'auth';
  /** AD's sub-code from the bind error text (`data 52e`, `data 775`…), when the server sent one. */
  readonly adCode: string | undefined;
  constructor(message: string, options?: HpsErrorOptions & { adCode?: string }) {
    super(message, options);
    this.adCode = options?.adCode;
  }
}

/** A search failed after a successful bind (no such base DN, bad filter on the server, size limits…). */
export class DirectorySearchError extends DirectoryError {
  override readonly kind: ErrorKind = 'config';
}

/** A filter string does not follow RFC 4515. `position` is the 0-based offset where parsing stopped. */
export class FilterSyntaxError extends DirectoryConfigError {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message, { advice: 'fix directory.filter in the config: an RFC 4515 filter such as (&(objectClass=user)(department=Sales))' });
    this.position = position;
  }
}

/** An LDIF file is not LDIF at all (as opposed to one bad record, which becomes that user's readError). */
export class LdifSyntaxError extends DirectoryError {
  override readonly kind: ErrorKind = 'config';
  readonly line: number;
  constructor(message: string, line: number, options?: HpsErrorOptions) {
    super(message, { advice: 'export the directory again with ldifde -f FILE or ldapsearch -LLL, and point directory.file at it', ...options });
    this.line = line;
  }
}

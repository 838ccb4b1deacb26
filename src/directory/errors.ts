/**
 * Typed errors of the directory readers. Each carries a plain message meant for the admin (what went wrong
 * and what to do) and the underlying error as `cause`.
 */

export class DirectoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
  }
}

/** The reader's configuration cannot work (bad URL, bad filter, unreadable CA file, bad folder pattern). */
export class DirectoryConfigError extends DirectoryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryConfigError';
  }
}

/** Why a connection to the directory failed. */
export type ConnectFailure = 'unreachable' | 'timeout' | 'tls-verify' | 'tls-hostname' | 'tls-required' | 'tls' | 'other';

/** The DC could not be reached or the TLS session could not be established. */
export class DirectoryConnectError extends DirectoryError {
  readonly reason: ConnectFailure;
  constructor(reason: ConnectFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryConnectError';
    this.reason = reason;
  }
}

/** The DC refused the bind (wrong password, locked or disabled account, expired password…). */
export class DirectoryAuthError extends DirectoryError {
  /** AD's sub-code from the bind error text (`data 52e`, `data 775`…), when the server sent one. */
  readonly adCode: string | undefined;
  constructor(message: string, options?: { cause?: unknown; adCode?: string }) {
    super(message, options);
    this.name = 'DirectoryAuthError';
    this.adCode = options?.adCode;
  }
}

/** A search failed after a successful bind (no such base DN, bad filter on the server, size limits…). */
export class DirectorySearchError extends DirectoryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectorySearchError';
  }
}

/** A filter string does not follow RFC 4515. `position` is the 0-based offset where parsing stopped. */
export class FilterSyntaxError extends DirectoryConfigError {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'FilterSyntaxError';
    this.position = position;
  }
}

/** An LDIF file is not LDIF at all (as opposed to one bad record, which becomes that user's readError). */
export class LdifSyntaxError extends DirectoryError {
  readonly line: number;
  constructor(message: string, line: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LdifSyntaxError';
    this.line = line;
  }
}

/** Typed errors of the Samba AD test DC. Each carries the underlying `cause` when there is one. */

export class SambaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Samba binaries missing, not root, and the like: tests skip on this. */
export class SambaUnavailableError extends SambaError {}

/** Something already answers on the LDAP ports of the requested address (e.g. a DC another run left). */
export class SambaAddressInUseError extends SambaError {}

/** samba-tool provision, openssl, the samba process or the readiness wait failed. */
export class SambaStartError extends SambaError {}

/** The schema extension (msExchRecipientTypeDetails) failed. */
export class SambaSchemaError extends SambaError {}

/** Reading a seed file or writing the seed to the directory failed. */
export class SeedError extends SambaError {}

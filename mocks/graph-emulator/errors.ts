/** Typed errors of the emulator itself (start-up, state, TLS), and Graph-shaped error answers. */
import { randomUUID } from 'node:crypto';
import type { GraphResponse } from './http.js';

export class EmulatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The state (object or file) is unreadable or invalid. */
export class StateError extends EmulatorError {}

/** The openssl CLI failed or produced unusable certificates. */
export class TlsSetupError extends EmulatorError {}

/** A photo could not be decoded as an image. */
export class InvalidImageError extends EmulatorError {}

/** Graph's error body: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
export function graphErrorBody(code: string, message: string, clientRequestId?: string): Record<string, unknown> {
  const requestId = randomUUID();
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): GraphResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, json: graphErrorBody(code, message) };
}

export const notFoundUser = (idOrUpn: string): GraphResponse =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const imageNotFound = (): GraphResponse =>
  graphError(404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");

export const badRequest = (message: string, code = 'BadRequest'): GraphResponse => graphError(400, code, message);

export const methodNotAllowed = (): GraphResponse =>
  graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

/**
 * The emulator's internal request/answer shapes. Top-level HTTP requests and $batch items are both turned
 * into a GraphRequest and answered with a GraphResponse, so they share auth, throttling, faults and logging.
 */

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphRequest {
  method: string;
  version: GraphVersion;
  /** Decoded path segments after the version, e.g. ['users', 'a@b.c', 'photo', '$value']. */
  segments: string[];
  /** Path as logged, e.g. `/v1.0/users/a@b.c/photo/$value`. */
  logPath: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
  batched: boolean;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A binary body (served raw at top level, base64 inside $batch). */
  binary?: Buffer;
}

/** Graph's Content-Type for OData JSON answers. */
export const ODATA_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function jsonResponse(status: number, json: unknown, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'Content-Type': ODATA_JSON, 'OData-Version': '4.0', ...headers }, json };
}

export function binaryResponse(bytes: Buffer, contentType: string, headers: Record<string, string> = {}): GraphResponse {
  return { status: 200, headers: { 'Content-Type': contentType, ...headers }, binary: bytes };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers };
}

/** Split and decode a path after the version prefix; `$value` may arrive as `%24value`. */
export function decodeSegments(rawPath: string): string[] {
  return rawPath
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** Lower-cased header map from Node's IncomingHttpHeaders or a batch item's headers. */
export function lowerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

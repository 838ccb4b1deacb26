/**
 * Text safety for the HTML report: control characters (NUL, terminal escapes, C1) and bidirectional overrides
 * that could disguise a name are stripped from every value; everything placed in markup is escaped; the data
 * block is JSON that cannot close its <script> element.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Removes control and bidi-override characters; tabs and newlines become spaces. */
export function clean(s: string): string {
  return s.replace(CONTROL, '').replace(/[\t\r\n]+/g, ' ');
}

export function escapeHtml(s: string): string {
  return clean(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line separators are \u-escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A data: URI the report may embed: an image type, base64, nothing else. */
export function safeImageUri(uri: string | undefined): string | undefined {
  return uri !== undefined && /^data:image\/(webp|jpeg|png);base64,[A-Za-z0-9+/]+=*$/.test(uri) ? uri : undefined;
}

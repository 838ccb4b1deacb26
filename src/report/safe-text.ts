/**
 * Text from the directory or the cloud (UPNs, DNs, display names, error messages that quote them) is hostile input
 * when it reaches a terminal: `ESC[2J` clears the admin's screen, `ESC]0;…BEL` sets the window title, a NUL or a
 * bidi override hides or reorders what follows. Every text renderer passes such text through here: control
 * characters and invisible formatting characters become visible escapes (`\x1b`, `\u202e`), so the admin sees
 * that something odd is in the directory, and the terminal interprets nothing.
 */

/** C0 controls but tab and line feed, DEL, C1 controls (U+0080–U+009F: U+009B is a one-byte CSI). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Invisible formatting: zero-width, bidi marks, embeddings, overrides and isolates, line/paragraph separators, BOM. */
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const hex = (c: string, width: number): string => (c.codePointAt(0) ?? 0).toString(16).padStart(width, '0');

/** Multi-line text for a terminal or a text file: controls and invisible characters escaped; tabs and newlines kept. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${hex(c, 2)}`).replace(INVISIBLE, (c) => `\\u${hex(c, 4)}`);
}

/** One cell or field on one line: as {@link terminalSafe}, and tabs, carriage returns and newlines escaped too. */
export function lineSafe(text: string): string {
  return terminalSafe(text).replace(/[\t\n]/g, (c) => `\\x${hex(c, 2)}`);
}

/**
 * JSON text whose string values may hold C1 controls or invisible characters (JSON.stringify escapes only C0):
 * those become `\uXXXX` escapes, which is the same JSON value, so a terminal showing the JSON interprets nothing.
 */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, (c) => `\\u${hex(c, 4)}`);
}

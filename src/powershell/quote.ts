import { PowerShellQuotingError } from './errors.js';

/**
 * PowerShell treats all of these as single-quote characters, inside and around single-quoted strings:
 * U+0027 ' APOSTROPHE, U+2018 ‘, U+2019 ’, U+201A ‚ and U+201B ‛. A literal that doubled only U+0027 could be
 * closed early by a typographic quote.
 */
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** Characters that would end or split the line a command is sent on. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be refused
const FORBIDDEN = /[\u0000\r\n\u0085\u2028\u2029]/;

/**
 * Turns a tool-generated path into a single-quoted PowerShell literal: every single-quote character is doubled,
 * nothing inside is expanded ($, `, " and $(…) are plain text in single quotes). Refuses NUL and line breaks.
 * Only paths the tool generates itself go through this; user data travels in job files, never in commands.
 */
export function quotePsLiteral(path: string): string {
  if (FORBIDDEN.test(path)) {
    throw new PowerShellQuotingError('Refusing to quote a value containing NUL or a line break for PowerShell');
  }
  return `'${path.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

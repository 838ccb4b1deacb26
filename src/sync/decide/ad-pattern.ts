/**
 * File-name patterns for `hps ad import`: which photo file belongs to which user. Pure.
 *
 * The syntax of `photoFolder.pattern` (src/directory/folder.ts) plus name tokens:
 *   {sAMAccountName} {userPrincipalName} {upnPrefix} {mail} {employeeID} {objectGUID}   as in photoFolder
 *   {givenName} {sn} {displayName}                                                     names (rules below)
 *   {ext}  an image extension (jpg jpeg png gif webp tif tiff)     *  any run of characters
 *   any other text is a literal prefix, separator or suffix, e.g. `emp-{employeeID}_hr.{ext}`
 *
 * Matching rules (file names and values alike): case-insensitive; accents folded (é→e, ñ→n, ø→o, æ→ae, ß→ss, ł→l);
 * for names, German umlauts may also be written ae/oe/ue (Müller = Muller = Mueller), and separators inside a name
 * (space, hyphen, apostrophe, underscore) may be written as any of them or left out (Jean-Luc = jean luc = jeanluc,
 * O'Brien = obrien).
 */
import { HpsError } from '../../errors.js';
import type { OnPremUser } from '../../model.js';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'webp', 'tif', 'tiff'] as const;

const TOKENS = {
  samaccountname: { get: (u: OnPremUser) => u.sAMAccountName, name: false },
  userprincipalname: { get: (u: OnPremUser) => u.userPrincipalName, name: false },
  upnprefix: { get: (u: OnPremUser) => u.userPrincipalName?.split('@')[0], name: false },
  mail: { get: (u: OnPremUser) => u.mail, name: false },
  employeeid: { get: (u: OnPremUser) => u.employeeId, name: false },
  objectguid: { get: (u: OnPremUser) => (u.objectGuid === '' ? undefined : u.objectGuid), name: false },
  givenname: { get: (u: OnPremUser) => u.givenName, name: true },
  sn: { get: (u: OnPremUser) => u.sn, name: true },
  displayname: { get: (u: OnPremUser) => u.displayName, name: true },
} as const satisfies Record<string, { get: (u: OnPremUser) => string | undefined; name: boolean }>;
type TokenName = keyof typeof TOKENS;
const TOKEN_LIST = '{sAMAccountName} {userPrincipalName} {upnPrefix} {mail} {employeeID} {objectGUID} {givenName} {sn} {displayName} {ext}';

type Part = { kind: 'literal'; text: string } | { kind: 'token'; name: TokenName } | { kind: 'star' } | { kind: 'ext' };

export interface NamePattern {
  source: string;
  parts: Part[];
}

/** A file-name pattern that cannot work: the admin's input to fix. */
export class PatternError extends HpsError {
  override readonly kind = 'config' as const;
}

/** Letters NFKD does not take apart. */
const SPECIAL: Record<string, string> = { ß: 'ss', ẞ: 'ss', æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ð: 'd', ł: 'l', Ł: 'l', ı: 'i', þ: 'th', Þ: 'th' };

/** Case- and accent-folded text: what file names and values are compared as. */
export function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßẞæÆœŒøØđĐðłŁıþÞ]/g, (c) => SPECIAL[c] ?? c)
    .toLowerCase();
}

const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NAME_SEPARATORS = /[\s'’_-]+/u;

/** The regex source a name value matches as: folded, umlauts either way, separators flexible. */
function nameRegex(value: string): string {
  const variants = new Set([fold(value), fold(value.replace(/[äöüÄÖÜ]/g, (c) => `${c.normalize('NFD')[0]}e`))]);
  const alts = [...variants].map((v) => v.split(NAME_SEPARATORS).filter(Boolean).map(reEscape).join(`[\\s'’_-]?`));
  return alts.length === 1 ? (alts[0] as string) : `(?:${alts.join('|')})`;
}

/** Parses one pattern; throws PatternError saying what is wrong with it. */
export function compileNamePattern(pattern: string): NamePattern {
  const bad = (why: string): never => {
    throw new PatternError(`file-name pattern "${pattern}": ${why}`);
  };
  if (/[/\\]/.test(pattern)) bad('must be a file name, not a path');
  const parts: Part[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') parts.push({ kind: 'literal', text: fold(literal) });
    literal = '';
  };
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i] as string;
    if (ch === '}') bad('"}" without "{"');
    if (ch === '*') {
      flush();
      parts.push({ kind: 'star' });
    } else if (ch === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) bad('"{" without "}"');
      const name = pattern.slice(i + 1, end).trim().toLowerCase();
      flush();
      if (name === 'ext') parts.push({ kind: 'ext' });
      else if (name in TOKENS) parts.push({ kind: 'token', name: name as TokenName });
      else bad(`unknown token {${pattern.slice(i + 1, end)}} (known: ${TOKEN_LIST})`);
      i = end;
    } else literal += ch;
  }
  flush();
  if (!parts.some((p) => p.kind === 'token')) bad('needs a user token such as {sAMAccountName}, or every user would get the same file');
  return { source: pattern, parts };
}

export interface UserMatcher {
  re: RegExp;
  /** Folded text every matching file name starts with (for an index lookup). */
  prefix: string;
}

/** The pattern for one user, or undefined when the user has no value for one of its tokens. */
export function matcherFor(p: NamePattern, user: OnPremUser): UserMatcher | undefined {
  let re = '';
  let prefix = '';
  let fixed = true;
  for (const part of p.parts) {
    if (part.kind === 'literal') {
      re += reEscape(part.text);
      if (fixed) prefix += part.text;
      continue;
    }
    if (part.kind !== 'token') {
      fixed = false;
      re += part.kind === 'star' ? '.*' : `(?:${IMAGE_EXTENSIONS.join('|')})`;
      continue;
    }
    const token = TOKENS[part.name];
    const v = token.get(user)?.trim();
    if (v === undefined || v === '' || /[/\\]/.test(v)) return undefined;
    const src = token.name ? nameRegex(v) : reEscape(fold(v));
    if (fixed && src === reEscape(fold(v))) prefix += fold(v);
    else fixed = false;
    re += src;
  }
  return { re: new RegExp(`^${re}$`, 'su'), prefix };
}

/** Whether a file name has an image extension this tool reads. */
export function isImageFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && (IMAGE_EXTENSIONS as readonly string[]).includes(fold(name.slice(dot + 1)));
}

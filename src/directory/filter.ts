/**
 * RFC 4515 search filters: escaping values, composing the user search, and parsing filter text into ldapts
 * Filter objects.
 *
 * We parse filters ourselves instead of handing strings to ldapts: its parser turns each `\xx` escape into a
 * single UTF-16 code unit and re-encodes the value as UTF-8, which corrupts every escaped byte >= 0x80 (an
 * escaped objectGUID, or `Lu\c4\8di\c4\87`). Ours decodes escapes to bytes and puts them on the wire as-is.
 */
import {
  AndFilter,
  ApproximateFilter,
  EqualityFilter,
  ExtensibleFilter,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
  type Filter,
} from 'ldapts';
import { FilterSyntaxError } from './errors.js';
import type { HighWaterMark, UserSelector } from './source.js';
import { selectorGuidBytes } from './source.js';

/** AD's LDAP_MATCHING_RULE_IN_CHAIN: memberOf through nested groups. */
export const MATCHING_RULE_IN_CHAIN = '1.2.840.113556.1.4.1941';

export const DEFAULT_USER_FILTER = '(&(objectCategory=person)(objectClass=user))';

function hexEscape(byte: number): string {
  return `\\${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Escapes a value for use inside a filter (RFC 4515 §3): `*` `(` `)` `\` and NUL become `\2a` `\28` `\29`
 * `\5c` `\00`, and non-ASCII characters become their UTF-8 bytes as `\xx`, so the result is plain ASCII.
 * A Buffer (binary value, e.g. objectGUID) is escaped byte by byte.
 */
export function escapeFilterValue(value: string | Uint8Array): string {
  if (typeof value !== 'string') return Array.from(value, hexEscape).join('');
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (code === 0x2a || code === 0x28 || code === 0x29 || code === 0x5c || code === 0) out += hexEscape(code);
    else if (code >= 0x80) out += Array.from(Buffer.from(ch, 'utf8'), hexEscape).join('');
    else out += ch;
  }
  return out;
}

/** The filter that picks one user; objectGuid becomes 16 escaped bytes. */
export function selectorFilter(sel: UserSelector): string {
  if (sel.by === 'objectGuid') return `(objectGUID=${escapeFilterValue(selectorGuidBytes(sel.value))})`;
  return `(${sel.by}=${escapeFilterValue(sel.value.trim())})`;
}

export interface UserFilterParts {
  /** Base filter (RFC 4515); default DEFAULT_USER_FILTER. Parentheses may be omitted for a single item. */
  filter?: string;
  /** Only members of this group (DN). */
  groupDn?: string;
  /** Follow nested groups (LDAP_MATCHING_RULE_IN_CHAIN). Default true. */
  nestedGroups?: boolean;
  since?: HighWaterMark;
  only?: UserSelector;
}

function wrap(filter: string): string {
  const f = filter.trim();
  return f.startsWith('(') ? f : `(${f})`;
}

/** Composes the user search: base filter AND group AND `uSNChanged>=usn+1` AND the selector, as filter text. */
export function buildUserFilter(parts: UserFilterParts): string {
  const clauses = [wrap(parts.filter ?? DEFAULT_USER_FILTER)];
  if (parts.groupDn !== undefined) {
    const rule = parts.nestedGroups === false ? '' : `:${MATCHING_RULE_IN_CHAIN}:`;
    clauses.push(`(memberOf${rule}=${escapeFilterValue(parts.groupDn)})`);
  }
  if (parts.since !== undefined) clauses.push(`(uSNChanged>=${parts.since.usn + 1n})`);
  if (parts.only !== undefined) clauses.push(selectorFilter(parts.only));
  return clauses.length === 1 ? (clauses[0] as string) : `(&${clauses.join('')})`;
}

const ATTR_CHAR = /[A-Za-z0-9.;-]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses RFC 4515 filter text into an ldapts Filter, decoding `\xx` escapes to exact bytes. */
export function parseFilter(text: string): Filter {
  const src = text.trim().startsWith('(') ? text.trim() : `(${text.trim()})`;
  let pos = 0;
  const fail = (what: string): never => {
    throw new FilterSyntaxError(`invalid LDAP filter at offset ${pos}: ${what} in ${JSON.stringify(src)}`, pos);
  };
  const expect = (ch: string): void => {
    if (src[pos] !== ch) fail(`expected "${ch}"`);
    pos += 1;
  };
  const attr = (): string => {
    const start = pos;
    while (pos < src.length && ATTR_CHAR.test(src[pos] as string)) pos += 1;
    return src.slice(start, pos);
  };
  /** Reads an assertion value up to `)` or an unescaped `*`; returns its bytes. */
  const value = (stopAtStar: boolean): Buffer => {
    const bytes: number[] = [];
    while (pos < src.length) {
      const ch = src[pos] as string;
      if (ch === ')' || (stopAtStar && ch === '*')) break;
      if (ch === '(') fail('unescaped "(" in value (write \\28)');
      if (ch === '\\') {
        const hex = src.slice(pos + 1, pos + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail('"\\" must be followed by two hex digits (write \\5c for a backslash)');
        bytes.push(parseInt(hex, 16));
        pos += 3;
        continue;
      }
      const cp = src.codePointAt(pos) as number;
      const chunk = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(chunk, 'utf8'));
      pos += chunk.length;
    }
    return Buffer.from(bytes);
  };
  const text8 = (b: Buffer, kind: string): string => {
    try {
      return utf8.decode(b);
    } catch {
      return fail(`${kind} value is not UTF-8 text (binary values work only with "=")`);
    }
  };

  const item = (): Filter => {
    const start = pos;
    const name = attr();
    // Extensible match: attr[:dn][:rule]:=value or [:dn]:rule:=value
    if (src[pos] === ':') {
      let dnAttributes = false;
      let rule: string | undefined;
      while (src[pos] === ':' && src[pos + 1] !== '=') {
        pos += 1;
        const part = attr();
        if (part.toLowerCase() === 'dn' && !dnAttributes && rule === undefined) dnAttributes = true;
        else if (part !== '' && rule === undefined) rule = part;
        else fail('malformed extensible match');
      }
      expect(':');
      expect('=');
      if (name === '' && rule === undefined) fail('extensible match needs an attribute or a matching rule');
      const v = text8(value(false), 'extensible match');
      return new ExtensibleFilter({ matchType: name || undefined, rule, value: v, dnAttributes });
    }
    if (name === '') fail('expected an attribute name');
    const op = src[pos];
    if (op === '~' || op === '>' || op === '<') {
      pos += 1;
      expect('=');
      const v = text8(value(false), `"${op}="`);
      if (op === '~') return new ApproximateFilter({ attribute: name, value: v });
      if (op === '>') return new GreaterThanEqualsFilter({ attribute: name, value: v });
      return new LessThanEqualsFilter({ attribute: name, value: v });
    }
    expect('=');
    const parts = [value(true)];
    while (src[pos] === '*') {
      pos += 1;
      parts.push(value(true));
    }
    if (parts.length === 1) return new EqualityFilter({ attribute: name, value: parts[0] as Buffer });
    if (parts.length === 2 && parts.every((p) => p.length === 0)) return new PresenceFilter({ attribute: name });
    const texts = parts.map((p) => text8(p, 'substring'));
    const inner = texts.slice(1, -1);
    if (inner.some((t) => t === '')) {
      pos = start;
      fail('"**" in substring filter');
    }
    return new SubstringFilter({ attribute: name, initial: texts[0] ?? '', any: inner, final: texts[texts.length - 1] ?? '' });
  };

  const filter = (): Filter => {
    expect('(');
    let result: Filter;
    const op = src[pos];
    if (op === '&' || op === '|') {
      pos += 1;
      const list: Filter[] = [];
      while (src[pos] === '(') list.push(filter());
      result = op === '&' ? new AndFilter({ filters: list }) : new OrFilter({ filters: list });
    } else if (op === '!') {
      pos += 1;
      result = new NotFilter({ filter: filter() });
    } else {
      result = item();
    }
    expect(')');
    return result;
  };

  const result = filter();
  if (pos !== src.length) fail('unexpected text after the filter');
  return result;
}

/**
 * The slice of OData $filter the emulator understands on users: `prop eq literal`, `prop ne literal`,
 * `prop in ('a','b')`, `startswith(prop,'x')`, combined with `and` / `or` and parentheses. String
 * comparisons are case-insensitive, as in Entra ID. Pure: parse once, evaluate per user.
 */
export type Literal = string | boolean | null | number;

export type FilterNode =
  | { kind: 'eq' | 'ne'; prop: string; value: Literal }
  | { kind: 'in'; prop: string; values: Literal[] }
  | { kind: 'startswith'; prop: string; value: string }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode };

export class FilterError extends Error {
  constructor(
    message: string,
    readonly code: 'BadRequest' | 'Request_UnsupportedQuery' = 'BadRequest',
  ) {
    super(message);
    this.name = 'FilterError';
  }
}

type Token = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'num'; v: number } | { t: 'punct'; v: '(' | ')' | ',' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let v = '';
      i += 1;
      for (;;) {
        if (i >= src.length) throw new FilterError('Invalid filter clause: unterminated string literal.');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        v += src[i];
        i += 1;
      }
      out.push({ t: 'str', v });
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'punct', v: c });
      i += 1;
    } else {
      const m = /^[A-Za-z0-9_.\-/]+/.exec(src.slice(i));
      if (!m) throw new FilterError(`Invalid filter clause: unexpected character '${c}'.`);
      const w = m[0];
      i += w.length;
      if (/^-?\d+(\.\d+)?$/.test(w)) out.push({ t: 'num', v: Number(w) });
      else out.push({ t: 'word', v: w });
    }
  }
  return out;
}

export function parseFilter(src: string, knownProps: readonly string[]): FilterNode {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const tk = tokens[pos];
    if (!tk) throw new FilterError('Invalid filter clause: unexpected end of expression.');
    pos += 1;
    return tk;
  };
  const isWord = (tk: Token | undefined, w: string): boolean => tk?.t === 'word' && tk.v.toLowerCase() === w;
  const expectPunct = (p: '(' | ')' | ','): void => {
    const tk = next();
    if (tk.t !== 'punct' || tk.v !== p) throw new FilterError(`Invalid filter clause: expected '${p}'.`);
  };
  const property = (): string => {
    const tk = next();
    if (tk.t !== 'word') throw new FilterError('Invalid filter clause: expected a property name.');
    const found = knownProps.find((p) => p.toLowerCase() === tk.v.toLowerCase());
    if (!found) throw new FilterError(`Could not find a property named '${tk.v}' on type 'microsoft.graph.user'.`);
    return found;
  };
  const literal = (): Literal => {
    const tk = next();
    if (tk.t === 'str') return tk.v;
    if (tk.t === 'num') return tk.v;
    if (tk.t === 'word') {
      const w = tk.v.toLowerCase();
      if (w === 'null') return null;
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tk.v)) return tk.v;
    }
    throw new FilterError('Invalid filter clause: expected a literal.');
  };
  const atom = (): FilterNode => {
    const tk = peek();
    if (tk?.t === 'punct' && tk.v === '(') {
      next();
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    if (isWord(tk, 'startswith')) {
      next();
      expectPunct('(');
      const prop = property();
      expectPunct(',');
      const value = literal();
      expectPunct(')');
      if (typeof value !== 'string') throw new FilterError('Invalid filter clause: startswith needs a string.');
      return { kind: 'startswith', prop, value };
    }
    const prop = property();
    const op = next();
    if (op.t !== 'word') throw new FilterError('Invalid filter clause: expected an operator.');
    const o = op.v.toLowerCase();
    if (o === 'eq' || o === 'ne') return { kind: o, prop, value: literal() };
    if (o === 'in') {
      expectPunct('(');
      const values = [literal()];
      while (peek()?.t === 'punct' && (peek() as { v: string }).v === ',') {
        next();
        values.push(literal());
      }
      expectPunct(')');
      return { kind: 'in', prop, values };
    }
    throw new FilterError(`Unsupported Query: operator '${op.v}' is not supported by the emulator.`, 'Request_UnsupportedQuery');
  };
  const andExpr = (): FilterNode => {
    let left = atom();
    while (isWord(peek(), 'and')) {
      next();
      left = { kind: 'and', left, right: atom() };
    }
    return left;
  };
  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      next();
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  if (tokens.length === 0) throw new FilterError('Invalid filter clause: empty expression.');
  const tree = orExpr();
  if (pos !== tokens.length) throw new FilterError('Invalid filter clause: unexpected text after the expression.');
  return tree;
}

function same(a: unknown, b: Literal): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return (a ?? null) === b;
}

export function evaluate(node: FilterNode, record: Readonly<Record<string, unknown>>): boolean {
  switch (node.kind) {
    case 'eq':
      return same(record[node.prop], node.value);
    case 'ne':
      return !same(record[node.prop], node.value);
    case 'in':
      return node.values.some((v) => same(record[node.prop], v));
    case 'startswith': {
      const v = record[node.prop];
      return typeof v === 'string' && v.toLowerCase().startsWith(node.value.toLowerCase());
    }
    case 'and':
      return evaluate(node.left, record) && evaluate(node.right, record);
    case 'or':
      return evaluate(node.left, record) || evaluate(node.right, record);
  }
}

/**
 * Bytes of an LDIF export → text lines, bounded: a line longer than the cap is not held in memory but handed on as
 * an {@link OverlongLine} (its start, for the attribute name, and its length), so one huge value costs the user
 * whose record holds it, not the run.
 */

/** A physical line over the cap: the first characters (enough for an attribute name) and its full length. */
export class OverlongLine {
  constructor(
    readonly head: string,
    readonly length: number,
  ) {}
}

/** How much of an over-long line is kept: enough to name the attribute. */
const HEAD = 256;

/** Decodes a byte stream to text, honouring a UTF-8 or UTF-16 byte-order mark (ldifde -u writes UTF-16LE). */
export async function* decodeText(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<string> {
  let head = Buffer.alloc(0);
  let decoder: TextDecoder | undefined;
  const pick = (b: Buffer): TextDecoder => {
    if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le');
    if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be');
    return new TextDecoder('utf-8'); // strips a UTF-8 BOM itself
  };
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (decoder !== undefined) {
      yield decoder.decode(buf, { stream: true });
      continue;
    }
    // Wait for three bytes to tell the encoding.
    head = Buffer.concat([head, buf]);
    if (head.length < 3) continue;
    decoder = pick(head);
    yield decoder.decode(head, { stream: true });
  }
  if (decoder === undefined) {
    decoder = pick(head);
    yield decoder.decode(head, { stream: true });
  }
  yield decoder.decode();
}

/** The lines completed by one chunk of input, handed on together (one await per chunk, not per line). */
export type LineBatch = ReadonlyArray<string | OverlongLine>;

/**
 * Splits text chunks into lines at LF (a CR before it stays on the line; the parser drops it), in batches: the lines
 * each chunk completes (a 10,000-user export has a million 76-column lines; an await for each was a third of the
 * read's CPU). Lines of more than `maxChars` characters come out as {@link OverlongLine}; memory stays within about
 * `maxChars` plus one chunk whatever the input.
 */
export async function* splitLines(chunks: AsyncIterable<string> | Iterable<string>, maxChars: number): AsyncGenerator<LineBatch> {
  let parts: string[] = [];
  let length = 0;
  let overHead: string | undefined;
  const add = (s: string): void => {
    if (s === '') return;
    if (overHead === undefined && length + s.length > maxChars) {
      overHead = (parts.join('') + s).slice(0, HEAD);
      parts = [];
    }
    if (overHead === undefined) parts.push(s);
    length += s.length;
  };
  const take = (): string | OverlongLine => {
    const line = overHead !== undefined ? new OverlongLine(overHead, length) : parts.length === 1 ? (parts[0] as string) : parts.join('');
    parts = [];
    length = 0;
    overHead = undefined;
    return line;
  };
  let any = false;
  for await (const chunk of chunks) {
    const batch: Array<string | OverlongLine> = [];
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      add(chunk.slice(from, nl));
      batch.push(take());
      from = nl + 1;
    }
    add(chunk.slice(from));
    any ||= chunk.length > 0;
    if (batch.length > 0) yield batch;
  }
  if (length > 0 || (any && parts.length > 0)) yield [take()];
}

/** The lines of an LDIF byte stream (CRLF or LF; UTF-8 or UTF-16), each at most `maxChars` characters. */
export function streamLines(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, maxChars: number): AsyncGenerator<LineBatch> {
  return splitLines(decodeText(input), maxChars);
}

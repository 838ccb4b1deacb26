/**
 * Starts reading an async source before anyone asks, into a bounded buffer: the directory is read (LDIF parsed, the
 * first LDAP pages fetched) while the cloud users are still being listed, so the first users are ready the moment
 * the listing is. The buffer stops at `maxItems` or `maxBytes`, and the read-ahead stops as soon as the consumer
 * starts; from then on the consumer pulls from the source itself (one reader at a time, in order).
 */
import { breather } from './breather.js';

export interface ReadAhead<T> {
  /** The items, buffered ones first; iterate at most once. Breaking out closes the source. */
  items: AsyncIterable<T>;
  /** Stops reading ahead and closes the source (when the items will never be consumed). */
  cancel(): Promise<void>;
}

export function readAhead<T>(source: AsyncIterable<T>, opts: { maxItems: number; maxBytes: number; bytesOf: (item: T) => number }): ReadAhead<T> {
  const it = source[Symbol.asyncIterator]();
  const buffered: T[] = [];
  let bytes = 0;
  let stop = false;
  let ended = false;
  let failure: { err: unknown } | undefined;
  // Reading ahead is background work: it must not keep the answers it overlaps (sign-in, the listing) waiting.
  const breathe = breather();
  const filled = (async () => {
    try {
      while (!stop && buffered.length < opts.maxItems && bytes < opts.maxBytes) {
        await breathe();
        if (stop) break;
        const r = await it.next();
        if (r.done) {
          ended = true;
          return;
        }
        buffered.push(r.value);
        bytes += opts.bytesOf(r.value);
      }
    } catch (err) {
      failure = { err };
    }
  })();

  async function* items(): AsyncGenerator<T> {
    stop = true;
    await filled;
    try {
      while (buffered.length > 0) yield buffered.shift() as T;
      if (failure) throw failure.err;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      if (!ended) await it.return?.();
    }
  }

  return {
    items: { [Symbol.asyncIterator]: () => items() },
    async cancel() {
      stop = true;
      await filled;
      buffered.length = 0;
      if (!ended && !failure) await it.return?.();
    },
  };
}

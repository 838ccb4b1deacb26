/**
 * Time bounds for reads of files the tool did not write (a hung network share must not hold a run): one for a
 * whole read, one for the silence between chunks of a stream.
 */
import { BoundedReadError } from './errors.js';

/** Resolves with `work`, or rejects with a timeout error after `ms`; `onLate` runs when work settles after a timeout. */
export async function within<T>(work: Promise<T>, ms: number, file: string, onLate: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new BoundedReadError('timeout', `reading ${file} took longer than ${Math.round(ms / 1000)} s; is the share hung?`));
    }, ms);
    timer.unref?.();
  });
  work.then(
    () => timedOut && onLate(),
    () => timedOut && onLate(),
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Passes `source` through, failing with a 'timeout' BoundedReadError when no chunk arrives for `idleMs` (a hung
 * share while streaming a large file, where a bound on the whole read would be wrong).
 */
export async function* withIdleTimeout<T>(source: AsyncIterable<T> | Iterable<T>, idleMs: number, file: string): AsyncGenerator<T> {
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  let done = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const next = Promise.resolve(it.next());
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BoundedReadError('timeout', `reading ${file} stalled: no data for ${Math.round(idleMs / 1000)} s; is the share hung?`)), idleMs);
        timer.unref?.();
      });
      next.catch(() => undefined);
      let r: IteratorResult<T>;
      try {
        r = await Promise.race([next, timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

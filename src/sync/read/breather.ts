/**
 * Time slices for the pipeline's own CPU work. Users flow through observe() as promise continuations
 * (microtasks): left alone, a window of them runs start to end before Node looks at its sockets again, so a
 * `$batch` answer that arrived meanwhile waits, and with it the next batch and the service's four in-flight slots
 * (20 ms stalls measured at 1,000 users). A breather lets the event loop run once `sliceMs` of work has passed.
 */
export const DEFAULT_SLICE_MS = 2;

/** Returns a function to await between units of work: it yields to the event loop when the slice is used up. */
export function breather(sliceMs = DEFAULT_SLICE_MS, now: () => number = () => performance.now()): () => Promise<void> | undefined {
  let since = now();
  return () => {
    if (now() - since < sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = now();
        resolve();
      }),
    );
  };
}

/**
 * Open things in order, close them in reverse, always — even when the work throws.
 */
export interface Closable {
  close(): Promise<void> | void;
}

export async function withResources<T>(work: (use: <R extends Closable>(r: R) => R) => Promise<T>): Promise<T> {
  const opened: Closable[] = [];
  const use = <R extends Closable>(r: R): R => {
    opened.push(r);
    return r;
  };
  try {
    return await work(use);
  } finally {
    for (const r of opened.reverse()) {
      try {
        await r.close();
      } catch {
        // Closing is best effort; the work's own outcome is what counts.
      }
    }
  }
}

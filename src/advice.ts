/**
 * The advice convention shared by every layer: an error that knows what the admin should do carries it in a
 * string `advice` property (Graph, Exchange, directory and state errors do), and whoever prints the error adds it.
 */

/** The error's `advice`, when it has a non-empty one. */
export function adviceOf(err: unknown): string | undefined {
  const advice = err instanceof Error ? (err as Error & { advice?: unknown }).advice : undefined;
  return typeof advice === 'string' && advice.trim() !== '' ? advice : undefined;
}

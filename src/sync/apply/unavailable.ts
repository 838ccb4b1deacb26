/**
 * What a route's writer turns into when it cannot work at all (PowerShell missing, the Exchange session refused):
 * every item fails with the same plain reason and advice, as a retryable per-user failure, so the users on the
 * other routes are still written and these are tried again next run.
 */
import { adviceOf } from '../../errors.js';
import type { Route } from '../../model.js';
import type { PhotoWriter, WriteResult } from './writer.js';

/** The per-item failure for a writer that threw instead of reporting per item. */
export function writerFailure(key: string, route: Route, err: unknown): WriteResult {
  const advice = adviceOf(err);
  return {
    key,
    ok: false,
    errorId: 'WriterUnavailable',
    message: `the ${route} writer cannot work: ${err instanceof Error ? err.message : String(err)}`,
    ...(advice ? { advice } : {}),
    retryable: true,
  };
}

/** A writer that fails every item with `err`. */
export function unavailableWriter(route: Route, err: unknown): PhotoWriter {
  const fail = (items: readonly { key: string }[]): Promise<WriteResult[]> => Promise.resolve(items.map((i) => writerFailure(i.key, route, err)));
  return { route, setPhotos: fail, deletePhotos: fail, close: () => Promise.resolve() };
}

/**
 * What a route's writer turns into when it cannot work at all (PowerShell missing, the Exchange session refused):
 * every item fails with the same plain reason and advice, as a retryable per-user failure, so the users on the
 * other routes are still written and these are tried again next run.
 */
import { adviceOf } from '../../advice.js';
import type { Route } from '../../model.js';
import type { PhotoWriter, WriteResult } from './writer.js';

/**
 * Errors that stop the run instead of failing a route's users: the configuration or the sign-in is wrong, so every
 * later user would fail the same way and the exit code must say so (2 or 4, not 1). Matched by class name, as the
 * CLI's exit-code mapping does.
 */
const RUN_STOPPING = new Set(['ExchangeConfigError', 'CloudConfigError', 'CloudAuthError']);

export function stopsTheRun(err: unknown): boolean {
  return err instanceof Error && RUN_STOPPING.has(err.name);
}

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

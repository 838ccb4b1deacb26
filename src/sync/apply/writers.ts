/**
 * The writer for each route a plan needs: Graph always; the Exchange bridge, started only when a decision routes a
 * user to Exchange. A bridge that cannot start fails its users (retried next run); the Graph users go on.
 */
import { stopsTheRun } from '../../errors.js';
import type { Route } from '../../model.js';
import type { Decision } from '../decide/plan.js';
import { unavailableWriter } from './unavailable.js';
import type { PhotoWriter } from './writer.js';

export type Writers = Partial<Record<Route, PhotoWriter>>;

export async function writersFor(
  decisions: readonly Decision[],
  graph: PhotoWriter,
  exchangeWriter: (() => Promise<PhotoWriter>) | undefined,
  log: { error(obj: object, msg: string): void },
): Promise<Writers> {
  const writers: Writers = { graph };
  const needsExchange = decisions.some((d) => d.action !== 'skip' && d.route !== 'graph');
  if (needsExchange && exchangeWriter) {
    try {
      const w = await exchangeWriter();
      writers[w.route] = w;
    } catch (err) {
      if (stopsTheRun(err)) throw err;
      log.error({ err }, 'the Exchange bridge cannot start; its users are recorded as failed and retried next run');
      for (const route of ['exchange-onprem', 'exchange-legacy'] as const) writers[route] = unavailableWriter(route, err);
    }
  }
  return writers;
}

/** Closes the writers this run started (the Graph writer belongs to the cloud connection). */
export async function closeWriters(writers: Writers): Promise<void> {
  for (const [route, w] of Object.entries(writers)) if (route !== 'graph') await w?.close();
}

/**
 * A progress line on stderr for people at a terminal; nothing at all for schedulers and pipes.
 */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
  /** Count one more item done in `phase`; `total` when known. */
  tick(phase: string, done: number, total?: number): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

export function progressFor(io: CliIo): Progress {
  if (!io.isTty) return SILENT;
  // Loaded only for a terminal: schedulers and pipes never draw a bar (docs/decisions.md, "Memory").
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  let bar: cliProgressModule.SingleBar | undefined;
  let phase = '';
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    tick(p, done, total) {
      if (p !== phase) {
        stop();
        phase = p;
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: total ? `${p} [{bar}] {value}/{total}` : `${p}: {value} users`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 0, 0);
      }
      if (total !== undefined) bar?.setTotal(total);
      bar?.update(done);
    },
    stop,
  };
}

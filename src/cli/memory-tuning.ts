/**
 * V8 heap settings for the command line process, applied by main.ts before the program and its dependencies load
 * (ES modules are all parsed before any runs, and that alone grows the young generation to 16 MB). Only in the
 * CLI's own process: tests that import runCli keep V8's defaults.
 *
 * A run streams thousands of photos through a small live set (≈ 35 MB of heap at 2,500 users): left alone, V8 grows
 * its young generation to 32 MB and lets the old one fill to about four times what is live before a full
 * collection, so resident memory is mostly garbage waiting to be collected (docs/decisions.md, "Memory"). Both flags
 * used here are read by V8 as it goes, so they take effect although the heap already exists (its size limits,
 * `--max-semi-space-size` and `--max-old-space-size`, do not: they are fixed at start-up, and a bin shim cannot
 * pass them).
 */
import { realpathSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * The young generation may grow to 4 MB semi-spaces (V8 starts at 1 MB and doubles up to 16 MB), then stays there.
 * At 1 MB the 10,000-user rerun spent ≈ 4 s in 3,800 scavenges (V8's own sizes: ≈ 1.6 s and 60 % more memory).
 */
const YOUNG_SEMI_SPACE_MB = 4;
const NO_YOUNG_GROWTH = '--semi-space-growth-factor=1';
/** After a full collection, the next one comes when the old generation has grown by half of what survived. */
const OLD_GROWTH = '--heap-growing-percent=50';

/** Stops the young generation's growth once it has reached YOUNG_SEMI_SPACE_MB (checked after each collection). */
function capYoungGeneration(): void {
  const newSpaceBytes = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  const target = 2 * YOUNG_SEMI_SPACE_MB * 2 ** 20; // the new space is two semi-spaces
  const observer = new PerformanceObserver(() => {
    if (newSpaceBytes() < target) return;
    setFlagsFromString(NO_YOUNG_GROWTH);
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** Whether this process runs the CLI: node …/cli/main.js (or the hps bin link to it), or main.ts under tsx. */
export function isCliProcess(argv1: string | undefined = process.argv[1]): boolean {
  try {
    return realpathSync(argv1 ?? '') === realpathSync(fileURLToPath(new URL(`./main${extname(import.meta.url)}`, import.meta.url)));
  } catch {
    return false;
  }
}

/** Applies the settings unless the user asked for V8's own (HPS_V8_DEFAULTS=1). */
export function tuneMemory(env: NodeJS.ProcessEnv = process.env): void {
  if (env.HPS_V8_DEFAULTS === '1') return;
  setFlagsFromString(OLD_GROWTH);
  capYoungGeneration();
}

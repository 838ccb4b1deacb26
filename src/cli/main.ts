#!/usr/bin/env node
/**
 * The `hps` process entry. It sets V8's heap settings (memory-tuning.ts) before the program and its dependencies
 * load, since loading them alone would grow the young generation, so it imports the program (program.ts) only then.
 */
import { isCliProcess, tuneMemory } from './memory-tuning.js';
import type { CliIo } from './io.js';

/** The whole program minus process globals (program.ts), loaded on first use. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = await import('./program.js');
  return program.runCli(argv, io);
}

// No top-level await: tests load this module with require() as well as import().
if (isCliProcess()) {
  tuneMemory();
  void import('./io.js').then(({ processIo }) => runCli(process.argv.slice(2), processIo())).then((code) => {
    process.exitCode = code;
  });
}

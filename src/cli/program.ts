/**
 * hybrid-photo-sync command line. `runCli` is the whole program minus process globals, so tests run it in-process;
 * main.ts is the process entry that loads it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from './package-root.js';
import { registerAd } from './commands/ad.js';
import { registerCompare } from './commands/compare.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerReport } from './commands/report.js';
import { createContext } from './context.js';
import { describeError } from './errors.js';
import { exitCodeOf } from './exit-policy.js';
import type { CliIo } from './io.js';
import { terminalSafe } from '../report/safe-text.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const COMMANDS = [registerDoctor, registerReport, registerReconcile, registerAd, registerCompare, registerDemo];

export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Diagnostics quote directory text (a UPN, a DN): no escape sequence in it reaches the admin's terminal.
  const io: CliIo = { ...rawIo, err: (t) => rawIo.err(terminalSafe(t)) };
  const ctx = createContext(io);
  const program = new Command('hps')
    .version(packageVersion(), '-V, --version')
    .description('Keep Microsoft 365 user photos in step with on-prem Active Directory (alias: hybrid-photo-sync)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  for (const register of COMMANDS) register(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    // commander has already said what was wrong with the command line; anything else is said here.
    if (!(err instanceof CommanderError)) io.err(`hps: ${describeError(err)}\n`);
    return exitCodeOf({ kind: 'error', error: err });
  }
  return ctx.exitCode;
}

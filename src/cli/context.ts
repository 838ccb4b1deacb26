/**
 * What every command registration gets: the io, option parsing with zod, and one `execute` that emits the
 * result and records the exit code (errors become a message on stderr and their exit code).
 */
import type { z } from 'zod';
import { formatIssues } from '../config/load.js';
import { CliError, describeError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { exitCodeOf } from './exit-policy.js';
import type { CliIo } from './io.js';
import { emit, type CommandResult } from './output.js';

export interface CommandContext {
  io: CliIo;
  parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S>;
  execute(run: () => Promise<CommandResult>): Promise<void>;
  exitCode: number;
}

export function createContext(io: CliIo): CommandContext {
  const ctx: CommandContext = {
    io,
    exitCode: EXIT.ok,
    parse(schema, raw) {
      const r = schema.safeParse(raw);
      if (!r.success) throw new CliError(formatIssues(r.error, 'invalid command-line options'), { cause: r.error });
      return r.data;
    },
    async execute(run) {
      try {
        const result = await run();
        await emit(io, result);
        ctx.exitCode = result.exitCode;
      } catch (err) {
        ctx.exitCode = exitCodeOf({ kind: 'error', error: err });
        io.err(`hps: ${describeError(err)}\n`);
        if (ctx.exitCode === EXIT.internal) io.log.debug({ stack: (err as Error).stack }, 'internal error');
      }
    },
  };
  return ctx;
}

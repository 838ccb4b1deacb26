/**
 * `hps doctor`: can this setup work? Checks config, directory, photo folder, sign-in and permissions, Graph,
 * PowerShell/Exchange and state, in order, and says what to do. Read-only. Exit 0 all good, 1 warnings,
 * 2 a configuration problem, 4 a connection, sign-in or permission problem (docs/troubleshooting.md).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULT_CONFIG_FILE } from '../../config/load.js';
import { renderDoctorJson, renderDoctorTable, type DoctorReport } from '../../report/doctor.js';
import { runDoctor, type DoctorDeps } from '../../usecases/doctor/run.js';
import { exitCodeOf } from '../exit-policy.js';
import type { CommandContext } from '../context.js';
import type { CliIo } from '../io.js';
import type { CommandResult } from '../output.js';

export const doctorOptions = z.strictObject({
  output: z.enum(['table', 'json']).default('table'),
  config: z.string().min(1).optional(),
});
export type DoctorOptions = z.infer<typeof doctorOptions>;

export async function runDoctorCommand(opts: DoctorOptions, io: CliIo, extra: Pick<DoctorDeps, 'exchange'> = {}): Promise<CommandResult<DoctorReport>> {
  const report = await runDoctor({
    configFile: resolve(io.cwd, opts.config ?? DEFAULT_CONFIG_FILE),
    env: io.env,
    log: io.log,
    ...extra,
    ...(io.isTty ? { onCheck: (c) => io.err(`  ${c.result.padEnd(4)} ${c.title}\n`) } : {}),
  });
  const exitCode = exitCodeOf({ kind: 'doctor', checks: report.checks });
  return {
    data: report,
    exitCode,
    format: opts.output,
    render: (f) => (f === 'json' ? renderDoctorJson(report, exitCode) : renderDoctorTable(report, exitCode)),
  };
}

export function registerDoctor(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('check that the setup can work: config, directory, sign-in and permissions, Graph, Exchange, state (read-only)')
    .option('--output <format>', 'table or json', 'table')
    .option('--config <file>', 'config file (default ./hybrid-photo-sync.config.json)')
    .action(async (raw: Record<string, unknown>) => {
      await ctx.execute(() => runDoctorCommand(ctx.parse(doctorOptions, raw), ctx.io));
    });
}

/** Runs the CLI in-process and captures what it prints. */
import { runCli } from '../../src/cli/main.js';
import { createLogger, type CliIo } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runHps(argv: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const err = (t: string): void => {
    stderr += t;
  };
  const io: CliIo = {
    out: (t) => {
      stdout += t;
    },
    err,
    log: createLogger(err, { level: 'info', format: 'human' }),
    env: opts.env ?? {},
    isTty: false,
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

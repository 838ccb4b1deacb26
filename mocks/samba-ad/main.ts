/**
 * CLI for the test DC.
 *   npx tsx mocks/samba-ad/main.ts up [--seed FILE] [--host 127.0.0.2] [--admin-password PW] [--no-extend-schema] [--verbose]
 * Prints one JSON line (the SambaDc fields, plus `seeded` when --seed is given) and stays up until
 * SIGINT/SIGTERM, then stops samba and removes its temp dir.
 */
import { setInterval, clearInterval } from 'node:timers';
import { Command } from 'commander';
import { startSambaDc, type SambaDc } from './samba.js';
import { loadSeedFile, seedDirectory, type SeededUser } from './seed.js';

interface UpOptions {
  seed?: string;
  host?: string;
  adminPassword?: string;
  extendSchema: boolean;
  verbose?: boolean;
}

async function up(opts: UpOptions): Promise<void> {
  const log = opts.verbose ? (line: string): void => void process.stderr.write(`samba: ${line}\n`) : undefined;
  const seedInput = opts.seed ? await loadSeedFile(opts.seed) : undefined;
  const dc: SambaDc = await startSambaDc({ host: opts.host, adminPassword: opts.adminPassword, extendSchema: opts.extendSchema, log });
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`samba-ad: ${signal}, stopping\n`);
    dc.stop().then(
      () => {
        clearInterval(keepAlive);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`samba-ad: stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  let seeded: SeededUser[] | undefined;
  try {
    if (seedInput) seeded = await seedDirectory(dc, seedInput.seed, { baseDir: seedInput.baseDir });
  } catch (err) {
    await dc.stop();
    throw err;
  }
  const { stop: _stop, ...fields } = dc;
  process.stdout.write(`${JSON.stringify(seeded ? { ...fields, seeded } : fields)}\n`);
}

const program = new Command('samba-ad').description('A throw-away Samba AD DC on a loopback address, for tests.');
program
  .command('up')
  .description('provision and start the DC, print its connection details as one JSON line, run until SIGINT/SIGTERM')
  .option('--seed <file>', 'JSON seed file (see mocks/samba-ad/README.md)')
  .option('--host <ip>', 'loopback IPv4 address to bind', '127.0.0.1')
  .option('--admin-password <password>', 'Administrator password (default: random)')
  .option('--no-extend-schema', 'skip adding msExchRecipientTypeDetails to the schema')
  .option('--verbose', "echo samba's log to stderr")
  .action(up);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`samba-ad: ${(err as Error).message}\n`);
  process.exit(1);
});

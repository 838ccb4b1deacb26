/**
 * The shared test world. Each real component is started at most once per test run, on first use,
 * and registered here for teardown. Components add their starters below.
 */
import { sambaAvailability, startSambaDc, type SambaDc } from '../../mocks/samba-ad/samba.js';
import { skipLoudly } from './skip.js';

type Stopper = () => Promise<void>;

/**
 * Mocha may load this module twice (through require() for some spec files, import() for others), so what must
 * exist once per process lives on globalThis, under a key of its own.
 */
interface WorldSlots {
  stoppers: Stopper[];
  samba?: Promise<SambaDc>;
}
const KEY = Symbol.for('hybrid-photo-sync.test-world');
const slots: WorldSlots = ((globalThis as Record<symbol, WorldSlots | undefined>)[KEY] ??= { stoppers: [] });
const stoppers = slots.stoppers;

export function onWorldStop(stop: Stopper): void {
  stoppers.push(stop);
}

export async function stopWorld(): Promise<void> {
  while (stoppers.length > 0) {
    const stop = stoppers.pop();
    try {
      await stop?.();
    } catch (err) {
      process.stderr.write(`world teardown: ${(err as Error).message}\n`);
    }
  }
}


/**
 * The shared Samba AD DC (mocks/samba-ad), started once per test run on first use and stopped at teardown;
 * skips the calling suite loudly when samba cannot run here. Several test files share this DC: each file
 * must seed its users into its own OU (e.g. `ou: 'T-<file name>/...'`) and must not rely on directory-wide
 * counts. HPS_SAMBA_HOST picks another loopback address (e.g. 127.0.0.2); HPS_SAMBA_LOG=1 echoes samba's log.
 * Use: `before(async function () { this.timeout(120000); dc = await sambaOrSkip(this); })`.
 */
export async function sambaOrSkip(ctx: Mocha.Context): Promise<SambaDc> {
  const availability = sambaAvailability();
  if (!availability.ok) skipLoudly(ctx, 'samba', availability.reason);
  slots.samba ??= startSambaDc({
    host: process.env['HPS_SAMBA_HOST'] || undefined,
    log: process.env['HPS_SAMBA_LOG'] ? (line) => process.stderr.write(`samba: ${line}\n`) : undefined,
  }).then((dc) => {
    onWorldStop(() => dc.stop());
    return dc;
  });
  return slots.samba;
}

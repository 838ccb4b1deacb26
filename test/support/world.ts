/**
 * The shared test world. Each real component is started at most once per test run, on first use,
 * and registered here for teardown. Components add their starters below.
 */
type Stopper = () => Promise<void>;
const stoppers: Stopper[] = [];

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

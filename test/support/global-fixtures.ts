// Mocha global fixtures: shared test world (Samba AD DC, emulators) started lazily by the tests
// that need them and torn down once at the end. See test/support/world.ts.
import { stopWorld } from './world.js';

export async function mochaGlobalTeardown(): Promise<void> {
  await stopWorld();
}

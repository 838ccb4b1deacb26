/**
 * Loud skipping for tests whose real component (Samba, pwsh, chromium…) is missing on this machine.
 * The SKIPPED line goes to stderr so it stands out in CI logs; the test is then marked pending.
 */
export function skipLoudly(ctx: Mocha.Context, component: string, reason: string): never {
  process.stderr.write(`\n*** SKIPPED (${component} unavailable): ${ctx.test?.fullTitle() ?? ''}\n    reason: ${reason}\n`);
  ctx.skip();
}

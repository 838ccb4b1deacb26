/**
 * The fix use case (`hps fix <user>`): a sync of one user, then, when a Graph write landed, the cloud photo read back
 * and checked against the source.
 */
import { runSync, type SyncDeps, type SyncOptions, type SyncResult } from './sync.js';
import { verifyCloudPhoto, type Verification } from './verify.js';
import { comparator } from './wiring.js';

export interface FixResult {
  result: SyncResult;
  verification?: Verification;
}

export async function runFix(deps: SyncDeps, opts: Omit<SyncOptions, 'full' | 'reload'> & { user: string }): Promise<FixResult> {
  const result = await runSync(deps, { ...opts, full: false, reload: false });
  const done = result.applied?.applied[0];
  if (!done?.result.ok || done.decision.route !== 'graph') return { result };
  const expect = done.decision.action === 'delete' ? 'none' : 'photo';
  return { result, verification: await verifyCloudPhoto(deps.cloud.reader, done.decision.user, expect, comparator(deps.cfg)) };
}

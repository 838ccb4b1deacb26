/**
 * Adversarial: a run killed while it writes (SIGKILL, SIGTERM), then run again; and a cloud photo that no longer
 * decodes. Nothing is lost: every write whose answer reached the tool has its audit line (at most the writes in
 * flight, whose answers never arrived, lack one: one $batch's uploads), the rerun writes exactly the users still
 * missing, and no user whose write was recorded is written twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { MAX_BATCH_SIZE } from '../../src/cloud/batch.js';
import { runHps } from '../support/cli.js';
import { buildLdifWorld, type LdifWorld, type LdifUser } from './support/ldif-world.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const USERS = 60;
const IN_FLIGHT = 4;
/**
 * Writes that may be done in the cloud with no answer back yet: one $batch's uploads, each with its etag read-back
 * (20 requests, 10 uploads), are answered together when the batch is.
 */
const UNANSWERED_AT_MOST = MAX_BATCH_SIZE / 2;

/** A distinct small photo per user. */
const photo = (i: number): Promise<Buffer> =>
  sharp({ create: { width: 96, height: 96, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 } } })
    .composite([{ input: Buffer.from(`<svg width="96" height="96"><circle cx="${20 + (i % 50)}" cy="${30 + ((i * 7) % 40)}" r="${10 + (i % 20)}" fill="#fff"/></svg>`) }])
    .jpeg()
    .toBuffer();

interface AuditLine { action: string; result: string; objectGuid: string }

async function auditSets(world: LdifWorld): Promise<AuditLine[]> {
  const text = await readFile(`${world.dir}/audit.jsonl`, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditLine)
    .filter((l) => l.action === 'set' && l.result === 'ok');
}

const totalWrites = (world: LdifWorld): number => Object.values(world.emu.control.writeCounts()).reduce((a, b) => a + b, 0);

/** Starts `hps reconcile` as a real process and kills it with `signal` once the cloud has seen `after` writes. */
async function killMidRun(world: LdifWorld, signal: NodeJS.Signals, after: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; writesAtKill: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'reconcile', '--config', world.configPath], {
    env: { ...process.env, ...world.env, HPS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  let writesAtKill = -1;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (totalWrites(world) >= after) {
      writesAtKill = totalWrites(world);
      child.kill(signal);
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const end = await exited;
  assert.ok(writesAtKill >= after, `the run ended before ${after} writes: ${stderr}`);
  return { ...end, writesAtKill };
}

describe('adversarial: killed runs and unreadable cloud photos', function () {
  this.timeout(150_000);
  let photos: Buffer[];
  before(async () => {
    photos = await Promise.all(Array.from({ length: USERS }, (_, i) => photo(i)));
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`${signal} mid-write: an audit line for every answered write, the rerun completes, nobody written twice but in-flight ones`, async () => {
      const users: LdifUser[] = photos.map((p, i) => ({ sam: `k${i}`, thumbnailPhoto: p, cloud: {} }));
      const world = await buildLdifWorld(users, { faults: { latencyMs: 40 } });
      try {
        const cfg = JSON.parse(await readFile(world.configPath, 'utf8')) as { cloud: Record<string, unknown> };
        cfg.cloud.maxInFlight = IN_FLIGHT;
        await writeFile(world.configPath, JSON.stringify(cfg));

        const killed = await killMidRun(world, signal, 30);
        if (signal === 'SIGTERM') assert.equal(killed.code, 143, 'SIGTERM ends the run with 143');
        await new Promise((r) => setTimeout(r, 300)); // requests the dead process left in the emulator finish
        const writes = totalWrites(world);
        const lines = await auditSets(world);
        const recorded = new Set(lines.map((l) => l.objectGuid));
        assert.equal(recorded.size, lines.length, 'one line per write');
        assert.ok(lines.length <= writes, `${lines.length} lines for ${writes} writes`);
        assert.ok(writes - lines.length <= UNANSWERED_AT_MOST, `${writes} writes but ${lines.length} audit lines: more unanswered than one batch's ${UNANSWERED_AT_MOST} uploads`);

        world.emu.control.setFaults({});
        const rerun = await runHps(['reconcile', '--output', 'json', '--config', world.configPath], { env: world.env });
        assert.equal(rerun.code, 0, rerun.stderr);
        const counts = world.emu.control.writeCounts();
        assert.equal(Object.keys(counts).length, USERS, 'every user written');
        const twice = Object.values(counts).filter((n) => n > 1).length;
        assert.ok(Object.values(counts).every((n) => n <= 2), 'nobody written three times');
        // Only a write whose answer never arrived may be repeated (the rerun may also find it already in place).
        assert.ok(twice <= writes - lines.length, `${twice} users written twice, ${writes - lines.length} writes had no line`);
        const rerunWrites = totalWrites(world) - writes;
        assert.equal((await auditSets(world)).length, lines.length + rerunWrites, 'every write of the rerun has its line');
      } finally {
        await world.close();
      }
    });
  }

  it('a cloud photo that does not decode is replaced by the source photo (reconcile and fix), not a stop', async () => {
    const world = await buildLdifWorld([
      { sam: 'broken1', thumbnailPhoto: photos[0] as Buffer, cloud: { photo: photos[1] as Buffer } },
      { sam: 'broken2', thumbnailPhoto: photos[2] as Buffer, cloud: { photo: photos[3] as Buffer } },
      { sam: 'fine', thumbnailPhoto: photos[4] as Buffer, cloud: { photo: photos[4] as Buffer } },
    ]);
    try {
      world.emu.control.corruptCloudPhoto('broken1@adv.example.test');
      world.emu.control.corruptCloudPhoto('broken2@adv.example.test');
      const report = await runHps(['report', '--format', 'json', '--config', world.configPath], { env: world.env });
      const rows = (JSON.parse(report.stdout) as { users: Array<{ upn: string; status: string; reason: string }> }).users;
      const broken = rows.find((u) => u.upn.startsWith('broken1'));
      assert.equal(broken?.status, 'drifted');
      assert.match(broken?.reason ?? '', /cloud photo is unreadable .*; the source photo replaces it/);

      const fix = await runHps(['fix', 'broken1', '--config', world.configPath], { env: world.env });
      assert.equal(fix.code, 0, fix.stdout + fix.stderr);
      const r = await runHps(['reconcile', '--output', 'json', '--config', world.configPath], { env: world.env });
      assert.equal(r.code, 0, r.stderr);
      const counts = world.emu.control.writeCounts();
      assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 2, 'both broken users written once, the fine one not');
    } finally {
      await world.close();
    }
  });
});

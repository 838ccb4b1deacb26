/**
 * Adversarial: each bad configuration a careless admin can produce. Every case ends fast with the exact exit code
 * (2 = configuration) and a message naming the field or file, never a hang, a spin, or exit 70.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../../src/config/load.js';
import { acquireRunLock } from '../../src/state/lock.js';
import { runHps, type CliRun } from '../support/cli.js';
import { buildLdifWorld, type LdifWorld } from './support/ldif-world.js';

describe('adversarial: bad configurations', function () {
  this.timeout(60_000);
  let world: LdifWorld;
  let base: Record<string, unknown>;
  let n = 0;

  before(async () => {
    const photo = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#123456' } }).jpeg().toBuffer();
    world = await buildLdifWorld([{ sam: 'alice', thumbnailPhoto: photo, cloud: {} }]);
    base = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, unknown>;
  });
  after(() => world?.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test edits config JSON freely, bad values included
  type Json = Record<string, any>;
  /** Runs `hps <args> --config <file>` with `patch` applied to the config (a function gets the config to edit). */
  async function run(patch: (cfg: Json) => void, args = ['reconcile', '--dry-run'], text?: (json: string) => string | Buffer): Promise<CliRun & { ms: number }> {
    const cfg = structuredClone(base) as Json;
    patch(cfg);
    const file = path.join(world.dir, `config-${(n += 1)}.json`);
    const json = JSON.stringify(cfg, null, 2);
    await writeFile(file, text ? text(json) : json);
    const t0 = Date.now();
    const r = await runHps([...args, '--config', file], { env: world.env });
    return { ...r, ms: Date.now() - t0 };
  }

  const expectConfigError = (r: CliRun & { ms: number }, message: RegExp): void => {
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  };

  it('a config with a UTF-8 byte-order mark (Notepad, PowerShell 5.1) is accepted', async () => {
    const r = await run(() => undefined, ['reconcile', '--dry-run'], (json) => `\ufeff${json}`);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(world.dir, 'bom.json');
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(base))]));
    assert.equal((await loadConfig(file)).directory.type, 'ldif');
  });

  for (const threshold of [20, 1.5, -0.1]) {
    it(`compare.threshold ${threshold} is refused (distances are 0…1)`, async () => {
      expectConfigError(await run((c) => (c.compare = { threshold })), /compare\.threshold: must be a distance between 0 and 1/);
    });
  }
  it('compare.threshold 0.2 is accepted', async () => {
    assert.equal((await run((c) => (c.compare = { threshold: 0.2 }))).code, 0);
  });

  it('state.auditLog naming a folder exits 2, not 70', async () => {
    const folder = path.join(world.dir, 'audit-folder');
    await mkdir(folder);
    expectConfigError(await run((c) => (c.state.auditLog = folder), ['reconcile']), /cannot open audit log .*audit-folder: it is a folder/);
  });
  it('state.auditLog under a file (not a folder) exits 2', async () => {
    expectConfigError(await run((c) => (c.state.auditLog = path.join(world.ldifPath, 'audit.jsonl')), ['reconcile']), /directory\.ldif is not a folder/);
  });
  it('state.auditLog naming a FIFO exits 2 at once instead of waiting for a reader', async () => {
    const fifo = path.join(world.dir, 'audit.fifo');
    execFileSync('mkfifo', [fifo]);
    expectConfigError(await run((c) => (c.state.auditLog = fifo), ['reconcile']), /cannot open audit log .*audit\.fifo/);
  });
  for (const where of ['/proc/hps-state/state.db', '/proc/self/state.db', '/sys/hps/state.db']) {
    it(`state.path ${where} exits 2 at once (no endless mkdir loop)`, async () => {
      expectConfigError(await run((c) => (c.state.path = where), ['reconcile']), /cannot live under \/(proc|sys)/);
    });
  }

  it('new state folders are 0700, the lock 0600, the state and audit files 0600', async () => {
    const dir = path.join(world.dir, 'fresh', 'nested');
    const r = await run((c) => (c.state = { path: path.join(dir, 'state.db'), auditLog: path.join(world.dir, 'fresh-audit', 'a.jsonl') }), ['reconcile']);
    assert.equal(r.code, 0, r.stderr);
    const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;
    assert.equal(await mode(path.join(world.dir, 'fresh')), 0o700);
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(path.join(world.dir, 'fresh-audit')), 0o700);
    assert.equal(await mode(path.join(dir, 'state.db')), 0o600);
    assert.equal(await mode(path.join(world.dir, 'fresh-audit', 'a.jsonl')), 0o600);
    const lock = await acquireRunLock(path.join(world.dir, 'lockcheck', 'state.db'));
    try {
      assert.equal(await mode(lock.path), 0o600);
      assert.equal(await mode(path.dirname(lock.path)), 0o700);
    } finally {
      await lock.release();
    }
  });

  it('the config file itself being a device, a FIFO or too big exits 2 at once', async () => {
    const fifo = path.join(world.dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = path.join(world.dir, 'big.json');
    await writeFile(big, Buffer.alloc(2 * 1024 * 1024, 0x20));
    for (const [file, why] of [['/dev/zero', /character device/], [fifo, /named pipe/], [big, /larger than the limit of 1048576 bytes/]] as const) {
      const t0 = Date.now();
      const r = await runHps(['reconcile', '--dry-run', '--config', file], { env: world.env });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, why);
      assert.ok(Date.now() - t0 < 5000);
    }
  });

  it('certificate, CA and LDIF files that are devices or FIFOs exit 2 at once', async () => {
    const fifo = path.join(world.dir, 'cert.fifo');
    execFileSync('mkfifo', [fifo]);
    expectConfigError(await run((c) => (c.cloud.certificate = { privateKeyFile: '/dev/zero', certificateFile: fifo })), /certificate private key .*character device/);
    expectConfigError(await run((c) => (c.cloud.caFile = fifo)), /CA file/);
    expectConfigError(await run((c) => (c.directory.file = '/dev/zero')), /LDIF file .*character device/);
    expectConfigError(await run((c) => (c.directory.file = fifo)), /LDIF file .*named pipe/);
  });
});

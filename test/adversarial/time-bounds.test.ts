/**
 * Adversarial: a sign-in host or a Graph endpoint that accepts TCP and TLS and then never answers. The run must end
 * within the documented bounds (cloud.connectTimeoutSeconds, answerTimeoutSeconds, maxTries, deadlineMinutes) with
 * exit 4 and a message that names the host, never hang for the 10–15 minutes it used to.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import type { Socket } from 'node:net';
import sharp from 'sharp';
import { runHps } from '../support/cli.js';
import { buildLdifWorld, type LdifWorld } from './support/ldif-world.js';

describe('adversarial: hosts that accept TLS and never answer', function () {
  this.timeout(60_000);
  let world: LdifWorld;
  let silent: tls.Server;
  let silentUrl: string;
  const sockets = new Set<Socket>();
  let base: Record<string, Record<string, unknown>>;

  before(async () => {
    const photo = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#654321' } }).jpeg().toBuffer();
    world = await buildLdifWorld([{ sam: 'alice', thumbnailPhoto: photo, cloud: {} }]);
    const certDir = path.dirname(world.emu.caCertPath);
    const [key, cert] = await Promise.all([readFile(path.join(certDir, 'server.key')), readFile(path.join(certDir, 'server.pem'))]);
    // Completes the TLS handshake, reads the request, answers nothing, ever.
    silent = tls.createServer({ key, cert }, (socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentUrl = `https://127.0.0.1:${(silent.address() as { port: number }).port}`;
    base = JSON.parse(await readFile(world.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent?.close(() => r()));
    await world?.close();
  });

  async function run(cloud: Record<string, unknown>): Promise<{ code: number; stderr: string; ms: number }> {
    const file = path.join(world.dir, `bounds-${Date.now()}.json`);
    await writeFile(file, JSON.stringify({ ...base, cloud: { ...base.cloud, ...cloud } }));
    const t0 = Date.now();
    const r = await runHps(['reconcile', '--config', file], { env: world.env });
    return { code: r.code, stderr: r.stderr, ms: Date.now() - t0 };
  }

  it('a silent sign-in host: exit 4 within the answer bound, naming the host', async () => {
    const r = await run({ authorityHost: silentUrl, answerTimeoutSeconds: 1, connectTimeoutSeconds: 1 });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /127\.0\.0\.1/);
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  });

  describe('Graph holds every request (emulated latency of 6 s, over every bound below)', () => {
    // Sign-in answers; every Graph request is held without an answer (the emulator's latency fault).
    before(() => world.emu.control.setFaults({ latencyMs: 6_000 }));
    after(() => world.emu.control.setFaults({}));

    it('exit 4 after maxTries answer bounds, naming the request', async () => {
      const r = await run({ answerTimeoutSeconds: 1, maxTries: 2 });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /GET https:\/\/127\.0\.0\.1:\d+\/v1\.0\/users.* failed after 2 tries/);
      assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
    });

    it('cloud.deadlineMinutes bounds the whole run even when each request may wait long', async () => {
      const r = await run({ answerTimeoutSeconds: 600, deadlineMinutes: 0.05 });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /deadline for cloud calls \(cloud\.deadlineMinutes: 0\.05\) has passed/);
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    });
  });

  it('the defaults are documented bounds, not unbounded', async () => {
    const { configSchema } = await import('../../src/config/schema.js');
    const cloud = configSchema.parse({ ...base, cloud: { tenantId: 't', clientId: 'c' } }).cloud;
    assert.equal(cloud.connectTimeoutSeconds, 10);
    assert.equal(cloud.answerTimeoutSeconds, 30);
    const docs = await readFile(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8');
    assert.match(docs, /answerTimeoutSeconds/);
    assert.match(docs, /deadlineMinutes/);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockHeldError } from '../../src/state/errors.js';
import type { LockHolder } from '../../src/state/errors.js';
import { acquireRunLock, isPidAlive, judgeLock, lockPathFor, parseHolder, takeOver } from '../../src/state/lock.js';
import type { LockLogger } from '../../src/state/lock.js';

/** A pid that belonged to a process that has exited (spawned once per file: node start-up costs ~0.3 s). */
let dead: number | undefined;
function deadPid(): number {
  if (dead !== undefined && !isPidAlive(dead)) return dead;
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.equal(child.status, 0);
  assert.ok(child.pid && !isPidAlive(child.pid), 'child pid is dead');
  dead = child.pid;
  return child.pid;
}

function recordingLogger() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const log: LockLogger = { warn: (fields, message) => lines.push({ fields, message }) };
  return { log, lines };
}

function writeHolder(path: string, holder: Partial<LockHolder>, ageMs = 0): void {
  writeFileSync(path, JSON.stringify({ nonce: 'theirs', ...holder }));
  const t = new Date(Date.now() - ageMs);
  utimesSync(path, t, t);
}

describe('run lock', () => {
  let dir: string;
  let stateFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hps-lock-'));
    stateFile = join(dir, 'state.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the holder into <state>.lock and removes it on release', async () => {
    const lock = await acquireRunLock(stateFile, { owner: { runId: 'RUN1', command: 'reconcile' } });
    assert.equal(lock.path, `${stateFile}.lock`);
    assert.equal(lock.path, lockPathFor(stateFile));
    const onDisk = parseHolder(readFileSync(lock.path, 'utf8'));
    assert.deepEqual(onDisk, lock.holder);
    assert.equal(onDisk?.pid, process.pid);
    assert.equal(onDisk?.hostname, hostname());
    assert.equal(onDisk?.runId, 'RUN1');
    assert.equal(lock.tookOver, undefined);
    assert.equal(await lock.release(), true);
    assert.equal(existsSync(lock.path), false);
    assert.equal(await lock.release(), false, 'second release is a no-op');
  });

  it('a second acquire fails with LockHeldError naming the holder', async () => {
    const first = await acquireRunLock(stateFile, {
      owner: { runId: 'RUN1' },
      now: () => new Date('2025-03-01T10:00:00.000Z'),
    });
    try {
      await assert.rejects(acquireRunLock(stateFile, { owner: { runId: 'RUN2' } }), (err: unknown) => {
        assert.ok(err instanceof LockHeldError);
        assert.equal(err.holder?.pid, process.pid);
        assert.equal(err.holder?.runId, 'RUN1');
        assert.equal(err.lockPath, first.path);
        assert.match(err.message, new RegExp(`pid ${process.pid} on host ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        assert.match(err.message, /since 2025-03-01T10:00:00\.000Z/);
        return true;
      });
      assert.equal(parseHolder(readFileSync(first.path, 'utf8'))?.runId, 'RUN1', 'the holder is untouched');
    } finally {
      await first.release();
    }
  });

  it('takes over a lock whose pid is dead on this host, and logs it', async () => {
    const pid = deadPid();
    writeHolder(lockPathFor(stateFile), { pid, hostname: hostname(), startedAt: new Date().toISOString(), runId: 'CRASHED' });
    const { log, lines } = recordingLogger();
    const lock = await acquireRunLock(stateFile, { owner: { runId: 'NEW' }, log });
    assert.equal(lock.tookOver?.reason, 'dead-pid');
    assert.equal(lock.tookOver?.from?.runId, 'CRASHED');
    assert.equal(parseHolder(readFileSync(lock.path, 'utf8'))?.runId, 'NEW');
    assert.equal(lines.length, 1);
    assert.match(lines[0]?.message ?? '', /took over/);
    assert.equal((lines[0]?.fields.previous as LockHolder).pid, pid);
    await lock.release();
  });

  it('does not judge a pid on another host: a recent foreign lock is held', async () => {
    writeHolder(lockPathFor(stateFile), { pid: deadPid(), hostname: 'some-other-host', startedAt: new Date().toISOString() });
    await assert.rejects(acquireRunLock(stateFile), (err: unknown) => err instanceof LockHeldError && err.holder?.hostname === 'some-other-host');
  });

  it('takes over a lock with no sign of life for longer than the stale timeout', async () => {
    const sevenHours = 7 * 3600_000;
    writeHolder(
      lockPathFor(stateFile),
      { pid: 4242, hostname: 'other-host', startedAt: new Date(Date.now() - sevenHours).toISOString() },
      sevenHours,
    );
    const { log, lines } = recordingLogger();
    const lock = await acquireRunLock(stateFile, { log });
    assert.equal(lock.tookOver?.reason, 'stale');
    assert.equal(lines.length, 1);
    await lock.release();
  });

  it('a lock that is old but recently touched is still held; a shorter stale timeout can be configured', async () => {
    const sevenHours = 7 * 3600_000;
    writeHolder(lockPathFor(stateFile), { pid: 4242, hostname: 'other-host', startedAt: new Date(Date.now() - sevenHours).toISOString() }, 60_000);
    await assert.rejects(acquireRunLock(stateFile), LockHeldError);
    const lock = await acquireRunLock(stateFile, { staleAfterMs: 30_000, log: recordingLogger().log });
    assert.equal(lock.tookOver?.reason, 'stale');
    await lock.release();
  });

  it('touch() refreshes the sign of life', async () => {
    const t = new Date('2025-03-01T12:00:00.000Z');
    const lock = await acquireRunLock(stateFile, { now: () => t });
    await lock.touch();
    assert.equal(statSync(lock.path).mtime.toISOString(), t.toISOString());
    await lock.release();
    await assert.rejects(lock.touch());
  });

  it('an unreadable lock file is held while fresh and taken over once old', async () => {
    const path = lockPathFor(stateFile);
    writeFileSync(path, '');
    await assert.rejects(acquireRunLock(stateFile), (err: unknown) => err instanceof LockHeldError && err.holder === undefined);
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    const lock = await acquireRunLock(stateFile, { log: recordingLogger().log });
    assert.equal(lock.tookOver?.reason, 'unreadable');
    await lock.release();
  });

  it('release removes only our own lock, and says so when it is not', async () => {
    const { log, lines } = recordingLogger();
    const lock = await acquireRunLock(stateFile, { log });
    // Someone judged us stale and took over: the file now names them.
    writeHolder(lock.path, { pid: 1, hostname: 'other-host', startedAt: new Date().toISOString(), runId: 'THEIRS' });
    assert.equal(await lock.release(), false);
    assert.equal(parseHolder(readFileSync(lock.path, 'utf8'))?.runId, 'THEIRS');
    assert.equal(lines.length, 1);
    assert.match(lines[0]?.message ?? '', /no longer ours/);
  });

  it('releaseSync (for signal handlers) removes our own lock once and never a lock someone else holds', async () => {
    const ours = await acquireRunLock(stateFile);
    assert.equal(ours.releaseSync(), true);
    assert.equal(existsSync(ours.path), false);
    assert.equal(ours.releaseSync(), false, 'second release is a no-op');
    assert.equal(await ours.release(), false);
    const again = await acquireRunLock(stateFile);
    writeHolder(again.path, { pid: 1, hostname: 'other-host', startedAt: new Date().toISOString(), runId: 'THEIRS' });
    assert.equal(again.releaseSync(), false);
    assert.equal(parseHolder(readFileSync(again.path, 'utf8'))?.runId, 'THEIRS');
  });

  it('several runs taking over the same stale lock at once: exactly one wins', async () => {
    writeHolder(lockPathFor(stateFile), { pid: deadPid(), hostname: hostname(), startedAt: new Date().toISOString() });
    const { log } = recordingLogger();
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => acquireRunLock(stateFile, { owner: { runId: `R${i}` }, log })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of lost) assert.ok(r.reason instanceof LockHeldError, String(r.reason));
    const winner = won[0]?.value;
    assert.equal(parseHolder(readFileSync(lockPathFor(stateFile), 'utf8'))?.nonce, winner?.holder.nonce);
    assert.equal(existsSync(`${lockPathFor(stateFile)}.takeover`), false, 'the take-over guard is gone');
    await winner?.release();
  });

  describe('take-over step', () => {
    const stale = JSON.stringify({ pid: 1, hostname: 'h', startedAt: '2000-01-01T00:00:00Z', nonce: 'stale' });
    const ours = JSON.stringify({ pid: 2, hostname: 'h', startedAt: '2025-01-01T00:00:00Z', nonce: 'ours' });

    it('replaces the stale lock it judged', async () => {
      const path = lockPathFor(stateFile);
      writeFileSync(path, stale);
      assert.equal(await takeOver(path, stale, ours, new Date()), true);
      assert.equal(readFileSync(path, 'utf8'), ours);
      assert.equal(existsSync(`${path}.takeover`), false);
    });

    it('backs off when the lock changed since it was judged (another run took over first)', async () => {
      const path = lockPathFor(stateFile);
      const winner = JSON.stringify({ pid: 3, hostname: 'h', startedAt: '2025-01-01T00:00:00Z', nonce: 'winner' });
      writeFileSync(path, winner);
      assert.equal(await takeOver(path, stale, ours, new Date()), false);
      assert.equal(readFileSync(path, 'utf8'), winner);
    });

    it('backs off while another run holds the take-over guard, and clears a guard left by a crash', async () => {
      const path = lockPathFor(stateFile);
      writeFileSync(path, stale);
      writeFileSync(`${path}.takeover`, 'busy');
      assert.equal(await takeOver(path, stale, ours, new Date()), false);
      assert.equal(readFileSync(path, 'utf8'), stale);
      assert.ok(existsSync(`${path}.takeover`), 'a fresh guard is left alone');
      const old = new Date(Date.now() - 120_000);
      utimesSync(`${path}.takeover`, old, old);
      assert.equal(await takeOver(path, stale, ours, new Date()), false);
      assert.equal(existsSync(`${path}.takeover`), false, 'an old guard is cleared');
      assert.equal(await takeOver(path, stale, ours, new Date()), true);
    });
  });

  it("':memory:' state needs no lock", async () => {
    const a = await acquireRunLock(':memory:');
    const b = await acquireRunLock(':memory:');
    assert.equal(a.path, '');
    assert.equal(await a.release(), false);
    await b.release();
  });

  describe('judgeLock (pure)', () => {
    const now = new Date('2025-03-01T12:00:00Z');
    const base = { now, hostname: 'HOST1', staleAfterMs: 6 * 3600_000, unreadableGraceMs: 30_000 };
    const holder = (h: Partial<LockHolder>): LockHolder => ({ pid: 10, hostname: 'host1', startedAt: '2025-03-01T11:00:00Z', nonce: 'n', ...h });
    const recent = new Date('2025-03-01T11:59:00Z');

    it('compares host names case-insensitively before asking about the pid', () => {
      const asked: number[] = [];
      const alive = (pid: number) => (asked.push(pid), false);
      assert.deepEqual(judgeLock({ holder: holder({}), mtime: recent }, { ...base, isPidAlive: alive }), { stale: true, reason: 'dead-pid' });
      assert.deepEqual(asked, [10]);
      assert.deepEqual(judgeLock({ holder: holder({ hostname: 'host2' }), mtime: recent }, { ...base, isPidAlive: alive }), { stale: false });
      assert.deepEqual(asked, [10]);
    });

    it('counts age from the later of startedAt and mtime', () => {
      const alive = () => true;
      const old = holder({ startedAt: '2025-03-01T05:00:00Z' });
      assert.deepEqual(judgeLock({ holder: old, mtime: new Date('2025-03-01T05:00:00Z') }, { ...base, isPidAlive: alive }), { stale: true, reason: 'stale' });
      assert.deepEqual(judgeLock({ holder: old, mtime: recent }, { ...base, isPidAlive: alive }), { stale: false });
      assert.deepEqual(judgeLock({ holder: undefined, mtime: new Date('2025-03-01T11:59:50Z') }, { ...base, isPidAlive: alive }), { stale: false });
      assert.deepEqual(judgeLock({ holder: undefined, mtime: recent }, { ...base, isPidAlive: alive }), { stale: true, reason: 'unreadable' });
    });
  });

  it('parseHolder rejects incomplete records', () => {
    assert.equal(parseHolder('{"pid":1}'), undefined);
    assert.equal(parseHolder('not json'), undefined);
    assert.equal(parseHolder('null'), undefined);
    assert.deepEqual(parseHolder('{"pid":1,"hostname":"h","startedAt":"s","nonce":"n","extra":true}'), { pid: 1, hostname: 'h', startedAt: 's', nonce: 'n' });
  });

  it('isPidAlive: this process yes, an exited one no, nonsense no', () => {
    assert.equal(isPidAlive(process.pid), true);
    assert.equal(isPidAlive(deadPid()), false);
    assert.equal(isPidAlive(0), false);
    assert.equal(isPidAlive(-5), false);
  });
});

import assert from 'node:assert/strict';
import { countKinds, expectedDownloads, expectedFirstSets, expectedSummary, kindOf, KINDS, PER_HUNDRED, userSpec } from '../../bench/mix.js';
import { parseBenchArgs, UsageError } from '../../bench/args.js';

describe('bench/mix: the synthetic tenant mix', () => {
  it('gives every block of 100 users exactly the stated counts', () => {
    for (const start of [0, 100, 4200]) {
      const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<string, number>;
      for (let i = start; i < start + 100; i++) counts[kindOf(i)] = (counts[kindOf(i)] ?? 0) + 1;
      assert.deepEqual(counts, { ...PER_HUNDRED });
    }
  });

  it('interleaves kinds rather than grouping them (a prefix of the users is a fair sample)', () => {
    const first20 = new Set(Array.from({ length: 20 }, (_, i) => kindOf(i)));
    assert.ok(first20.size >= 4, `only ${[...first20].join(', ')} among the first 20 users`);
  });

  it('shows drifted and corrupt users another cloud picture, in-sync users the same one', () => {
    for (let i = 0; i < 1000; i++) {
      const s = userSpec(i, 7);
      if (s.kind === 'drifted' || s.kind === 'corrupt') assert.notEqual(s.cloud?.picture, s.sourcePicture, `user ${i}`);
      if (s.kind === 'in-sync' || s.kind === 'in-sync-by-upn') assert.equal(s.cloud?.picture, s.sourcePicture, `user ${i}`);
      if (s.kind === 'unmatched') assert.equal(s.cloud, undefined);
      if (s.kind === 'missing-in-source' || s.kind === 'no-photo') assert.equal(s.sourcePicture, undefined);
      assert.equal(s.corrupt, s.kind === 'corrupt');
      assert.equal(s.cloud?.anchored ?? true, s.kind !== 'in-sync-by-upn');
    }
  });

  it('derives the expected report and reconcile counts from the kinds', () => {
    const n = 1234;
    const e = expectedSummary(n);
    const c = countKinds(n);
    assert.equal(e.total, n);
    assert.equal(e['in-sync'] + e.drifted + e['missing-in-cloud'] + e['missing-in-source'] + e.unmatched + e.error, n);
    assert.equal(expectedFirstSets(n), c.drifted + c['missing-in-cloud'] + c['missing-in-cloud-placeholder']);
    assert.equal(expectedDownloads(n), c['in-sync'] + c['in-sync-by-upn'] + c.drifted);
  });

  it('refuses a pool too small to tell pictures apart', () => {
    assert.throws(() => userSpec(0, 1), RangeError);
  });
});

describe('bench/args', () => {
  it('defaults to 10,000 users, and 2,000 with --quick unless --users is given', () => {
    assert.equal(parseBenchArgs([]).users, 10_000);
    assert.equal(parseBenchArgs(['--quick']).users, 2_000);
    assert.equal(parseBenchArgs(['--quick', '--users', '500']).users, 500);
  });

  it('runs both concurrency scopes by default, and the serial baseline only with latency unless asked', () => {
    assert.deepEqual(parseBenchArgs([]).scopes, ['app', 'mailbox']);
    assert.deepEqual(parseBenchArgs(['--scopes', 'mailbox']).scopes, ['mailbox']);
    assert.throws(() => parseBenchArgs(['--scopes', 'tenant']), UsageError);
    assert.equal(parseBenchArgs([]).serial, false);
    assert.equal(parseBenchArgs(['--latency-ms', '20']).serial, true);
    assert.equal(parseBenchArgs(['--latency-ms', '20', '--skip-serial']).serial, false);
    assert.equal(parseBenchArgs(['--serial']).serial, true);
    assert.equal(parseBenchArgs([]).maxInFlight, 16);
  });

  it('keeps the work folder when CPU profiles are asked for', () => {
    assert.equal(parseBenchArgs(['--cpu-prof']).keep, true);
    assert.equal(parseBenchArgs([]).keep, false);
  });

  it('rejects bad numbers and unknown options', () => {
    assert.throws(() => parseBenchArgs(['--users', '2.5']), UsageError);
    assert.throws(() => parseBenchArgs(['--users', '0']), UsageError);
    assert.throws(() => parseBenchArgs(['--latency-ms', '-1']), UsageError);
    assert.throws(() => parseBenchArgs(['--fast']), UsageError);
  });
});

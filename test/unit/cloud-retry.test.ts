import assert from 'node:assert/strict';
import { backoffDelay, createRetryPolicy, parseRetryAfter, type RetryOptions, type StatusLike, type TryContext } from '../../src/cloud/retry.js';

/** A policy whose sleeps are recorded instead of waited. */
function recordingPolicy(extra: RetryOptions = {}) {
  const sleeps: number[] = [];
  const policy = createRetryPolicy({ sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...extra });
  return { policy, sleeps };
}

/** A send function that answers from a script, recording each try's context. */
function scripted(answers: (StatusLike | Error)[]) {
  const calls: TryContext[] = [];
  const send = async (ctx: TryContext): Promise<StatusLike> => {
    calls.push(ctx);
    const next = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (next instanceof Error) throw next;
    return next!;
  };
  return { send, calls };
}

const req = { method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' };

function resetError(): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
}

describe('cloud/retry', () => {
  describe('parseRetryAfter', () => {
    it('reads fractional seconds exactly: 2.128 → 2128 ms', () => {
      assert.equal(parseRetryAfter('2.128', 0), 2128);
      assert.equal(parseRetryAfter('0.05', 0), 50);
      assert.equal(parseRetryAfter(' 10 ', 0), 10_000);
    });

    it('reads an HTTP date relative to now, never negative', () => {
      const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
      assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:07 GMT', now), 7000);
      assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
    });

    it('gives undefined for absent or junk values', () => {
      assert.equal(parseRetryAfter(null, 0), undefined);
      assert.equal(parseRetryAfter(undefined, 0), undefined);
      assert.equal(parseRetryAfter('', 0), undefined);
      assert.equal(parseRetryAfter('-3', 0), undefined);
      assert.equal(parseRetryAfter('soon', 0), undefined);
    });
  });

  describe('backoffDelay', () => {
    it('doubles per attempt, caps, and keeps jitter within [step/2, step)', () => {
      for (const [attempt, step] of [
        [1, 1000],
        [2, 2000],
        [3, 4000],
        [10, 30_000],
      ] as const) {
        const low = backoffDelay(attempt, 1000, 30_000, () => 0);
        const high = backoffDelay(attempt, 1000, 30_000, () => 0.999999);
        assert.equal(low, step / 2, `attempt ${attempt} low`);
        assert.ok(high < step && high >= step - 1, `attempt ${attempt} high ${high}`);
        for (let i = 0; i < 50; i++) {
          const d = backoffDelay(attempt, 1000, 30_000, Math.random);
          assert.ok(d >= step / 2 && d < step, `attempt ${attempt}: ${d}`);
        }
      }
    });
  });

  describe('run', () => {
    it('honours a fractional Retry-After on 429 and returns the success', async () => {
      const { policy, sleeps } = recordingPolicy();
      const { send, calls } = scripted([{ status: 429, retryAfter: '2.128' }, { status: 200 }]);
      const res = await policy.run(req, send);
      assert.equal(res.status, 200);
      assert.deepEqual(sleeps, [2128]);
      assert.equal(calls.length, 2);
    });

    it('uses Retry-After on 503 too, and backoff with jitter when 503/504 carry none', async () => {
      const { policy, sleeps } = recordingPolicy({ baseDelayMs: 100 });
      const { send } = scripted([{ status: 503, retryAfter: '1' }, { status: 504 }, { status: 503 }, { status: 200 }]);
      const res = await policy.run(req, send);
      assert.equal(res.status, 200);
      // 1 s from the header; then steps 200 and 400 at random 0.5 → 150 and 300.
      assert.deepEqual(sleeps, [1000, 150, 300]);
    });

    it('stops after maxTries and hands back the last answer', async () => {
      const { policy, sleeps } = recordingPolicy({ maxTries: 3 });
      const { send, calls } = scripted([{ status: 429, retryAfter: '0.01' }]);
      const res = await policy.run(req, send);
      assert.equal(res.status, 429);
      assert.equal(calls.length, 3);
      assert.equal(sleeps.length, 2);
    });

    it('defaults to 5 tries', async () => {
      const { policy } = recordingPolicy();
      const { send, calls } = scripted([{ status: 503 }]);
      await policy.run(req, send);
      assert.equal(calls.length, 5);
      assert.equal(policy.maxTries, 5);
    });

    it('does not retry other statuses', async () => {
      for (const status of [200, 204, 400, 403, 404, 413, 500]) {
        const { policy, sleeps } = recordingPolicy();
        const { send, calls } = scripted([{ status }]);
        assert.equal((await policy.run(req, send)).status, status);
        assert.equal(calls.length, 1, `status ${status}`);
        assert.equal(sleeps.length, 0);
      }
    });

    it('refreshes the token once after a 401, without sleeping, then retries', async () => {
      const { policy, sleeps } = recordingPolicy();
      const { send, calls } = scripted([{ status: 401 }, { status: 200 }]);
      assert.equal((await policy.run(req, send)).status, 200);
      assert.deepEqual(
        calls.map((c) => c.refreshToken),
        [false, true],
      );
      assert.deepEqual(sleeps, []);
    });

    it('refreshes only once: a second 401 is the answer', async () => {
      const { policy } = recordingPolicy();
      const { send, calls } = scripted([{ status: 401 }]);
      assert.equal((await policy.run(req, send)).status, 401);
      assert.deepEqual(
        calls.map((c) => c.refreshToken),
        [false, true],
      );
    });

    it('retries network resets with backoff and rethrows other errors at once', async () => {
      const { policy, sleeps } = recordingPolicy({ baseDelayMs: 10 });
      const flaky = scripted([resetError(), resetError(), { status: 200 }]);
      assert.equal((await policy.run(req, flaky.send)).status, 200);
      assert.deepEqual(sleeps, [7, 15]);

      const fatal = scripted([new Error('certificate has expired')]);
      await assert.rejects(policy.run(req, fatal.send), /certificate has expired/);
      assert.equal(fatal.calls.length, 1);
    });

    it('gives up on network resets after maxTries and throws the last error', async () => {
      const { policy } = recordingPolicy({ maxTries: 2 });
      const { send, calls } = scripted([resetError()]);
      await assert.rejects(policy.run(req, send), /fetch failed/);
      assert.equal(calls.length, 2);
    });

    it('lets onRateLimit see seconds and attempt, and veto the retry', async () => {
      const seen: [number, number, number | undefined][] = [];
      const { policy } = recordingPolicy({
        onRateLimit: (seconds, attempt, info) => {
          seen.push([seconds, attempt, info.status]);
          return attempt < 2;
        },
      });
      const { send, calls } = scripted([{ status: 429, retryAfter: '2.128' }]);
      assert.equal((await policy.run(req, send)).status, 429);
      assert.deepEqual(seen, [
        [2.128, 1, 429],
        [2.128, 2, 429],
      ]);
      assert.equal(calls.length, 2);
    });

    it('lets onError veto retries of server errors', async () => {
      const { policy } = recordingPolicy({ onError: () => false });
      const { send, calls } = scripted([{ status: 503 }]);
      assert.equal((await policy.run(req, send)).status, 503);
      assert.equal(calls.length, 1);
    });

    it('does not wait for an absurd Retry-After; it gives up instead', async () => {
      const { policy, sleeps } = recordingPolicy({ maxRetryAfterSeconds: 60 });
      const { send, calls } = scripted([{ status: 429, retryAfter: '3600' }]);
      assert.equal((await policy.run(req, send)).status, 429);
      assert.equal(calls.length, 1);
      assert.deepEqual(sleeps, []);
    });
  });

  describe('decideStatus', () => {
    it('bounds item retries by attempt number', () => {
      const { policy } = recordingPolicy({ maxTries: 3 });
      assert.deepEqual(policy.decideStatus(429, '0.5', 1, req), { retry: true, delayMs: 500, reason: 'rate-limit' });
      assert.deepEqual(policy.decideStatus(429, '0.5', 3, req), { retry: false });
      assert.deepEqual(policy.decideStatus(404, null, 1, req), { retry: false });
    });
  });
});

import assert from 'node:assert/strict';
import { directoryKey, normaliseGuid } from '../../src/state/keys.js';
import { redactOptions, scrubText } from '../../src/state/redact.js';
import { isRunId, newRunId, runIdFactory } from '../../src/state/run-id.js';

describe('state helpers: run ids, keys, redaction', () => {
  it('run ids encode the time first, so they sort by time', () => {
    const zero = () => Buffer.alloc(10, 0);
    const ones = () => Buffer.alloc(10, 0xff);
    assert.equal(newRunId(new Date(0), zero), '0'.repeat(26));
    assert.equal(newRunId(new Date(0), ones), `${'0'.repeat(10)}${'Z'.repeat(16)}`);
    // 1 ms later with the smallest randomness still sorts after the largest randomness of the ms before.
    assert.ok(newRunId(new Date(1), zero) > newRunId(new Date(0), ones));
    const real = newRunId(new Date('2025-03-01T10:00:00Z'));
    assert.ok(isRunId(real), real);
    assert.equal(real.slice(0, 10), newRunId(new Date('2025-03-01T10:00:00Z'), zero).slice(0, 10));
    assert.equal(isRunId('01JNJ0Q3ZS8Y3Y7W2Z1B4C5D6I'), false, 'I is not Crockford base32');
  });

  it('the factory stays strictly increasing when the clock stands still or steps back', () => {
    let t = 1_000_000;
    const make = runIdFactory(() => new Date(t), () => Buffer.alloc(10, 0xff));
    const a = make();
    const b = make();
    t -= 5000;
    const c = make();
    t += 10_000;
    const d = make();
    assert.ok(a < b && b < c && c < d, [a, b, c, d].join(' '));
  });

  it('normalises guids and directory keys', () => {
    assert.equal(normaliseGuid(' {0F8FAD5B-D9CB-469F-A165-70867728950E} '), '0f8fad5b-d9cb-469f-a165-70867728950e');
    assert.throws(() => normaliseGuid(''), TypeError);
    assert.equal(directoryKey('LDAPS://DC1:636/', ' OU=Staff , DC=Corp '), 'ldaps://dc1:636|ou=staff,dc=corp');
  });

  it('redactOptions hides secret-named values, handles bigint, binary and cycles', () => {
    const cyc: Record<string, unknown> = { name: 'x' };
    cyc.self = cyc;
    assert.deepEqual(
      redactOptions({ clientSecret: 'x', password: 'y', accessToken: 'z', certPath: '/c.pem', emptySecret: '', usn: 5n, jpeg: Buffer.alloc(3), cyc, fn: () => 1, when: new Date(0) }),
      { clientSecret: '[redacted]', password: '[redacted]', accessToken: '[redacted]', certPath: '/c.pem', emptySecret: '', usn: '5', jpeg: '[binary, 3 bytes]', cyc: { name: 'x', self: '[circular]' }, when: '1970-01-01T00:00:00.000Z' },
    );
  });

  it('scrubText removes tokens and base64 runs and caps the length', () => {
    assert.equal(scrubText('Authorization: Bearer abc.def'), 'Authorization: Bearer [redacted]');
    assert.equal(scrubText('password="hunter2" next'), 'password="[redacted]" next');
    assert.equal(scrubText(`x ${'A'.repeat(200)} y`), 'x [base64 removed, 200 chars] y');
    assert.equal(scrubText('short base64 like an etag W/"QUJDRA==" stays'), 'short base64 like an etag W/"QUJDRA==" stays');
    const long = scrubText('word '.repeat(1000), 50);
    assert.equal(long.length, 50);
    assert.ok(long.endsWith('…'));
  });
});

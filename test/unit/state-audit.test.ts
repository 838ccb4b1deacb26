import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAuditLine, openAuditLog } from '../../src/state/audit.js';
import type { AuditEvent } from '../../src/state/audit.js';
import { StateError } from '../../src/state/errors.js';

const at = new Date('2025-03-01T10:00:00.000Z');
const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  runId: '01JNJ0Q3ZS8Y3Y7W2Z1B4C5D6E',
  dn: 'CN=Ann Lee,OU=Staff,DC=corp,DC=test',
  objectGuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
  upn: 'ann@corp.test',
  action: 'set',
  route: 'graph',
  reason: 'drifted',
  result: 'ok',
  ...over,
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('audit log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hps-audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one valid JSON object per line, in order, with the clock time by default', () => {
    const path = join(dir, 'logs', 'audit.jsonl');
    const log = openAuditLog(path, { now: () => at });
    log.write(event());
    log.write(event({ action: 'delete', reason: 'missing-in-source\nsecond line', result: 'error', error: 'HTTP 403', errorId: 'Forbidden', at: new Date('2025-03-01T10:00:05Z') }));
    log.write(event({ action: 'skip', route: undefined, upn: undefined, reason: 'in-sync', result: 'dry-run' }));
    log.close();
    const text = readFileSync(path, 'utf8');
    assert.equal(text.split('\n').length, 4, 'three lines and a final newline');
    const got = lines(path);
    assert.deepEqual(got[0], {
      at: '2025-03-01T10:00:00.000Z',
      runId: '01JNJ0Q3ZS8Y3Y7W2Z1B4C5D6E',
      action: 'set',
      result: 'ok',
      objectGuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
      dn: 'CN=Ann Lee,OU=Staff,DC=corp,DC=test',
      upn: 'ann@corp.test',
      route: 'graph',
      reason: 'drifted',
    });
    assert.equal(got[1]?.at, '2025-03-01T10:00:05.000Z');
    assert.equal(got[1]?.reason, 'missing-in-source\nsecond line');
    assert.equal(got[1]?.errorId, 'Forbidden');
    assert.equal('upn' in (got[2] ?? {}), false);
    assert.equal('route' in (got[2] ?? {}), false);
  });

  it('appends: reopening keeps earlier lines', () => {
    const path = join(dir, 'audit.jsonl');
    let log = openAuditLog(path, { now: () => at });
    log.write(event({ reason: 'first' }));
    log.close();
    log = openAuditLog(path, { now: () => at, fsyncEachLine: true });
    log.write(event({ reason: 'second' }));
    log.close();
    assert.deepEqual(lines(path).map((l) => l.reason), ['first', 'second']);
  });

  it('a line is on disk as soon as write() returns (no buffering to lose in a crash)', () => {
    const path = join(dir, 'audit.jsonl');
    const log = openAuditLog(path, { now: () => at });
    log.write(event());
    assert.equal(lines(path).length, 1);
    log.close();
  });

  it('never writes photo bytes, even when they are passed by mistake', () => {
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(5000)]);
    const b64 = photo.toString('base64');
    const path = join(dir, 'audit.jsonl');
    const log = openAuditLog(path, { now: () => at });
    const sneaky = { ...event({ reason: photo as unknown as string, error: `upload failed for body ${b64}` }), jpeg: photo, photo: b64 } as AuditEvent;
    log.write(sneaky);
    log.write(event({ error: `data:image/jpeg;base64,${b64}` }));
    log.close();
    const text = readFileSync(path, 'utf8');
    for (const needle of [b64.slice(0, 40), b64.slice(2000, 2040), photo.subarray(100, 130).toString('hex'), photo.subarray(0, 64).toString('latin1')]) {
      assert.equal(text.includes(needle), false, `found photo bytes: ${needle.slice(0, 10)}…`);
    }
    const got = lines(path);
    assert.equal(got[0]?.reason, '[non-text value removed]');
    assert.match(String(got[0]?.error), /^upload failed for body \[base64 removed, \d+ chars\]$/);
    assert.equal('jpeg' in (got[0] ?? {}), false);
    assert.equal('photo' in (got[0] ?? {}), false);
    assert.match(String(got[1]?.error), /^\[data uri removed, \d+ chars\]$/);
    assert.ok(text.length < 2000, 'lines stay small');
  });

  it('scrubs secrets from error text', () => {
    const line = formatAuditLine(
      event({ result: 'error', error: 'token call failed: client_secret=abc123XYZ&grant_type=x; Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.sig' }),
      at,
    );
    assert.doesNotMatch(line, /abc123XYZ|eyJhbGciOi/);
    assert.match(line, /client_secret=\[redacted\]/);
  });

  it('refuses unknown actions and results, and writes after close', () => {
    assert.throws(() => formatAuditLine(event({ action: 'explode' as never }), at), TypeError);
    assert.throws(() => formatAuditLine(event({ result: 'maybe' as never }), at), TypeError);
    const log = openAuditLog(join(dir, 'a.jsonl'));
    log.close();
    log.close();
    assert.throws(() => log.write(event()), StateError);
  });

  it('creates the file private to its owner on POSIX', function () {
    if (process.platform === 'win32') this.skip();
    const path = join(dir, 'audit.jsonl');
    openAuditLog(path).close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });
});

import assert from 'node:assert/strict';
import type { RequestLogEntry } from '../../mocks/graph-emulator/index.js';
import { countTraffic, emptyTraffic, sumWrites } from '../../bench/traffic.js';

const e = (method: string, path: string, status: number, batched = false): RequestLogEntry => ({ method, path, status, batched, at: 0 });

describe('bench/traffic: counting the emulator request log', () => {
  const log: RequestLogEntry[] = [
    e('POST', '/0b3e5c1a-7d2f-4e86-9a4b-1c3d5e7f9a2b/oauth2/v2.0/token', 200),
    e('GET', '/beta/admin/people/photoUpdateSettings', 200),
    e('GET', '/v1.0/users', 200),
    e('POST', '/v1.0/$batch', 200),
    e('GET', '/v1.0/users/a/photo', 200, true),
    e('GET', '/v1.0/users/b/photo', 404, true),
    e('GET', '/v1.0/users/c/photo', 429, true),
    e('POST', '/v1.0/$batch', 200),
    e('GET', '/v1.0/users/a/photo/$value', 200, true),
    e('GET', '/v1.0/users/b/photo/$value', 404, true),
    e('GET', '/v1.0/users/d/photos/96x96/$value', 200),
    e('PUT', '/v1.0/users/a/photo/$value', 200),
    e('PUT', '/v1.0/users/e/photo/$value', 403),
    e('DELETE', '/v1.0/users/f/photo/$value', 204),
    e('GET', '/v1.0/users/x/photo/$value', 503, true),
    e('GET', '/v1.0/users', 0),
  ];

  it('sums the time operations held an in-flight slot, by kind (the emulator logs heldMs)', () => {
    const held = (entry: RequestLogEntry, heldMs: number): RequestLogEntry => ({ ...entry, heldMs });
    const t = countTraffic([
      e('POST', '/v1.0/$batch', 200),
      held(e('GET', '/v1.0/users/a/photo', 200, true), 21),
      held(e('GET', '/v1.0/users/b/photo', 404, true), 20.5),
      held(e('GET', '/v1.0/users/d/photos/96x96/$value', 200), 23),
      held(e('PUT', '/v1.0/users/a/photo/$value', 200), 30),
      held(e('GET', '/beta/admin/people/photoUpdateSettings', 200), 22),
      e('GET', '/v1.0/users/c/photo', 429, true),
    ]);
    assert.deepEqual(t.slotMs, { meta: 41.5, download: 23, write: 30, other: 22 });
  });

  it('tells top-level requests, batch items, downloads and writes apart', () => {
    const t = countTraffic(log);
    assert.equal(t.httpRequests, 10);
    assert.equal(t.tokenRequests, 1);
    assert.equal(t.batchEnvelopes, 2);
    assert.equal(t.batchItems, 6);
    assert.equal(t.graphOperations, 13);
    assert.equal(t.userPages, 2);
    assert.equal(t.photoMetaReads, 3);
    assert.equal(t.photoDownloads, 2, 'only 200 answers carry bytes');
    assert.equal(t.photoWriteAttempts, 3);
    assert.equal(t.photoWrites, 2);
    assert.equal(t.policyReads, 1);
    assert.equal(t.status429, 1);
    assert.equal(t.status5xx, 1);
    assert.equal(t.resets, 1);
    assert.equal(t.status4xx, 3);
  });

  it('sums a log drained in pieces to the same as the whole', () => {
    const whole = countTraffic(log);
    const parts = emptyTraffic();
    countTraffic(log.slice(0, 5), parts);
    countTraffic(log.slice(5), parts);
    assert.deepEqual(parts, whole);
  });

  it('spans the apply phase from the first to the last photo write', () => {
    const at = (x: RequestLogEntry, t: number): RequestLogEntry => ({ ...x, at: t });
    const t = countTraffic([at(e('GET', '/v1.0/users', 200), 5), at(e('PUT', '/v1.0/users/a/photo/$value', 200), 30), at(e('PUT', '/v1.0/users/b/photo/$value', 200), 20), at(e('GET', '/v1.0/users/a/photo', 200), 90)]);
    assert.equal(t.firstWriteAt, 20);
    assert.equal(t.lastWriteAt, 30);
    assert.equal(emptyTraffic().firstWriteAt, null);
  });

  it('adds up write counts', () => {
    assert.equal(sumWrites({ a: 2, b: 1 }), 3);
    assert.equal(sumWrites({}), 0);
  });
});

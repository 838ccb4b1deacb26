import assert from 'node:assert/strict';
import { readAhead } from '../../src/sync/read/read-ahead.js';
import { breather } from '../../src/sync/read/breather.js';

/** A source of n numbered items that records how far it was read and whether it was closed. */
function source(n: number, failAt?: number): { iterable: AsyncIterable<number>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  async function* gen(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) {
        await new Promise((r) => setImmediate(r));
        if (i === failAt) throw new Error(`read failed at ${i}`);
        pulled = i + 1;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { iterable: gen(), pulled: () => pulled, closed: () => closed };
}

const settle = (turns = 20): Promise<void> => (turns === 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => void settle(turns - 1).then(r))));

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('readAhead: the directory read starts before the consumer does', () => {
  it('reads ahead on its own, up to maxItems, and then hands every item over in order', async () => {
    const s = source(10);
    const ahead = readAhead(s.iterable, { maxItems: 4, maxBytes: 1e9, bytesOf: () => 1 });
    await settle();
    assert.equal(s.pulled(), 4, 'buffered up to the cap without a consumer, no further');
    assert.deepEqual(await all(ahead.items), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(s.closed(), true);
  });

  it('stops at maxBytes too', async () => {
    const s = source(10);
    readAhead(s.iterable, { maxItems: 100, maxBytes: 25, bytesOf: () => 10 });
    await settle();
    assert.equal(s.pulled(), 3);
  });

  it('a read failure while reading ahead reaches the consumer after the items read before it', async () => {
    const s = source(10, 2);
    const ahead = readAhead(s.iterable, { maxItems: 8, maxBytes: 1e9, bytesOf: () => 1 });
    await settle();
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const x of ahead.items) got.push(x);
    }, /read failed at 2/);
    assert.deepEqual(got, [0, 1]);
  });

  it('a consumer that stops early closes the source; cancel() closes it unread', async () => {
    const s = source(10);
    const ahead = readAhead(s.iterable, { maxItems: 2, maxBytes: 1e9, bytesOf: () => 1 });
    for await (const x of ahead.items) if (x === 3) break;
    assert.equal(s.closed(), true);
    const t = source(10);
    const cancelled = readAhead(t.iterable, { maxItems: 5, maxBytes: 1e9, bytesOf: () => 1 });
    await settle(3);
    await cancelled.cancel();
    assert.equal(t.closed(), true);
    assert.ok(t.pulled() < 10);
    const u = source(10);
    await readAhead(u.iterable, { maxItems: 5, maxBytes: 1e9, bytesOf: () => 1 }).cancel();
    assert.equal(u.pulled(), 0, 'cancelled at once: nothing read');
  });
});

describe('breather: yields to the event loop once its time slice is used up', () => {
  it('returns nothing within the slice, then a promise that resolves after pending I/O callbacks ran', async () => {
    let clock = 0;
    const breathe = breather(2, () => clock);
    assert.equal(breathe(), undefined);
    clock = 1.9;
    assert.equal(breathe(), undefined);
    clock = 2.5;
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    const p = breathe();
    assert.ok(p instanceof Promise);
    await p;
    assert.equal(immediateRan, true, 'a callback queued before the breath ran first');
    clock = 3;
    assert.equal(breathe(), undefined, 'a new slice starts after the breath');
  });
});

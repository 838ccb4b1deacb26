import assert from 'node:assert/strict';
import sharp from 'sharp';
import { comparePrints, fingerprint, inspectPhoto } from '../../src/photo/index.js';
import type { PhotoPrint } from '../../src/model.js';
import { createPhotoGenerator, distinctPhoto } from '../../mocks/fixtures/photos/generate.js';

const COUNT = 300;

describe('mocks/fixtures/photos/generate: distinctPhoto', () => {
  let prints: PhotoPrint[] = [];
  let copies: PhotoPrint[] = [];

  before(async function () {
    this.timeout(120_000);
    const generator = createPhotoGenerator();
    const made = await Promise.all(
      Array.from({ length: COUNT }, async (_, i) => {
        const photo = await generator.photo(i);
        const copy = await sharp(photo).resize(240, 240).jpeg({ quality: 75 }).toBuffer();
        return Promise.all([fingerprint(photo), fingerprint(copy)]);
      }),
    );
    prints = made.map(([p]) => p);
    copies = made.map(([, c]) => c);
  });

  it('is deterministic and honours size and quality', async () => {
    const a = await distinctPhoto(42);
    assert.ok(a.equals(await distinctPhoto(42)), 'same i, same bytes');
    assert.ok(a.equals(await createPhotoGenerator().photo(42)), 'the caching generator makes the same bytes');
    assert.deepEqual(await inspectPhoto(a).then((i) => [i.format, i.width, i.height]), ['jpeg', 256, 256]);
    const big = await distinctPhoto(42, { size: 512, quality: 95 });
    assert.equal((await inspectPhoto(big)).width, 512);
    const low = await distinctPhoto(42, { quality: 40 });
    assert.ok(low.length < a.length);
    await assert.rejects(distinctPhoto(-1), RangeError);
    await assert.rejects(distinctPhoto(1.5), RangeError);
  });

  it(`gives ${COUNT} pictures that the fingerprint tells apart pairwise`, () => {
    assert.equal(new Set(prints.map((p) => p.sha256)).size, COUNT);
    let closest = { distance: 1, pair: '' };
    for (let i = 0; i < COUNT; i++) {
      for (let j = i + 1; j < COUNT; j++) {
        const cmp = comparePrints(prints[i]!, prints[j]!);
        assert.equal(cmp.same, false, `${i} and ${j} look the same (distance ${cmp.distance})`);
        if (cmp.distance < closest.distance) closest = { distance: cmp.distance, pair: `${i}/${j}` };
      }
    }
    assert.ok(closest.distance >= 0.3, `closest pair ${closest.pair} at ${closest.distance}`);
  });

  it('has each picture the same as its re-encoded 240 px copy', () => {
    for (let i = 0; i < COUNT; i++) {
      const cmp = comparePrints(prints[i]!, copies[i]!);
      assert.ok(cmp.same, `${i}: distance ${cmp.distance}`);
    }
  });
});

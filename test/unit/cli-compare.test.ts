import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runHps } from '../support/cli.js';

const PHOTOS = new URL('../../mocks/fixtures/photos/', import.meta.url).pathname;

describe('hps compare', () => {
  let dir: string;
  let original: string;
  let cloudCopy: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hps-compare-'));
    original = join(PHOTOS, 'astronaut-eileen-collins.jpg');
    cloudCopy = join(dir, 'cloud.jpg');
    // What the cloud does: square, 240 px, re-encoded, no metadata.
    await sharp(original).resize(240, 240, { fit: 'cover' }).jpeg({ quality: 70 }).toFile(cloudCopy);
  });

  it('says same (exit 0) for a photo and its re-encoded, resized copy', async () => {
    const r = await runHps(['compare', original, cloudCopy, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.same, true);
    assert.ok(out.distance < out.threshold);
  });

  it('says different (exit 1) for two different portraits', async () => {
    const r = await runHps(['compare', original, join(PHOTOS, 'cameraman.jpg')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^different pictures: [^\n]+ \(distance 0\.\d+, threshold 0\.\d+\)\n$/);
  });

  it('exits 2 with a clear message for a missing file or non-image data', async () => {
    const missing = await runHps(['compare', original, join(dir, 'nope.jpg')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.jpg: it does not exist/);
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'hello, not a photo');
    const bad = await runHps(['compare', text, original, '--json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /cannot compare: .*not an image/i);
  });

  it('exits 2 on a usage error', async () => {
    const r = await runHps(['compare', original]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument/);
  });
});

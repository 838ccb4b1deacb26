import assert from 'node:assert/strict';
import { checkResolution } from '../../src/sync/decide/resolution.js';
import { decodeStoredPrint, encodeStoredPrint, fingerprint, isLegacyStoredPrint, comparePrints } from '../../src/photo/index.js';
import { realPhoto } from '../../mocks/fixtures/photos/generate.js';

describe('photo/stored-print: the cloud fingerprint in the state file', () => {
  it('round-trips the current form (hash, size, colour grid)', async () => {
    const p = await fingerprint(realPhoto('coffee.jpg'));
    const stored = encodeStoredPrint(p);
    assert.match(stored, /^v2;[0-9a-f]{64};600x400;oklab16:/);
    assert.deepEqual(decodeStoredPrint(stored), { phash: p.phash, width: 600, height: 400, colour: p.colour });
    assert.equal(isLegacyStoredPrint(stored), false);
  });

  it('reads a value written before the colour stage as a legacy print, compared on structure alone as before', async () => {
    const p = await fingerprint(realPhoto('coffee.jpg'));
    const legacy = decodeStoredPrint(p.phash);
    assert.deepEqual(legacy, { phash: p.phash, width: 0, height: 0 });
    assert.equal(isLegacyStoredPrint(p.phash), true);
    const cmp = comparePrints(p, { sha256: 'remembered:etag', ...legacy! });
    assert.deepEqual([cmp.same, cmp.colourCompared, cmp.threshold], [true, false, 0.2]);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'v3;00;1x1;oklab16:AA', 'v2;zz;1x1;c', 'v2;00;big;c', 'v2;00;1x1;']) assert.equal(decodeStoredPrint(bad), undefined, bad);
  });
});

describe('photo/resolution: undersized cloud copies', () => {
  it('calls a 96 px cloud copy of a 648 px source undersized, with the reason', () => {
    const r = checkResolution({ width: 800, height: 1000 }, { width: 96, height: 96 });
    assert.deepEqual(r, { undersized: true, sourceGives: 648, cloudHolds: 96, reason: 'the cloud holds 96×96, the source gives 648×648' });
  });

  it('keeps a 96 px source against a 96 px cloud copy, and copies at ≥ 75% of what the source gives, in sync', () => {
    assert.equal(checkResolution({ width: 96, height: 96 }, { width: 96, height: 96 }).undersized, false);
    assert.equal(checkResolution({ width: 400, height: 300 }, { width: 240, height: 240 }).undersized, false); // 240 ≥ 225
    assert.equal(checkResolution({ width: 400, height: 320 }, { width: 239, height: 239 }).undersized, true); // 239 < 240
    assert.equal(checkResolution({ width: 2000, height: 2000 }, { width: 504, height: 504 }).undersized, false);
  });

  it('never calls a photo undersized when Graph gave no size', () => {
    assert.equal(checkResolution({ width: 648, height: 648 }, {}).undersized, false);
  });
});

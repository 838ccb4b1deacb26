/**
 * The comparator's margins on a subset of the labelled corpus (the full table: `npm run photo:accuracy`). Three
 * sources (a colour portrait, a colour still life, a greyscale portrait) × every "same" variant × every edit at
 * 240/96 px: every edit found with its decisive measure ≥ 1.5× its threshold (measured: 2.13×, the teal/orange grade
 * of Grace Hopper at 96 px), every copy ≤ 0.85× on all measures (measured: 0.77×, Grace Hopper resized to 240 px).
 */
import assert from 'node:assert/strict';
import { comparePrints, fingerprint } from '../../src/photo/index.js';
import type { PhotoPrint } from '../../src/model.js';
import { corpus, type CorpusCase } from '../../mocks/fixtures/photos/corpus/corpus.js';

describe('photo comparator on a corpus subset (margins)', function () {
  this.timeout(120_000);
  const results: { c: Omit<CorpusCase, 'original' | 'copy'>; ratio: number; same: boolean; decisive: string }[] = [];

  before(async () => {
    const prints = new Map<Buffer, PhotoPrint>();
    for await (const c of corpus({ sources: ['grace-hopper.jpg', 'coffee.jpg', 'cameraman.jpg'], sizes: [240, 96] })) {
      let a = prints.get(c.original);
      if (!a) prints.set(c.original, (a = await fingerprint(c.original)));
      const cmp = comparePrints(a, await fingerprint(c.copy));
      const { original: _o, copy: _c, ...rest } = c;
      // Different when any measure is over: the largest ratio is the distance from the line.
      const [measure, ratio] = Object.entries(cmp.ratios).reduce((m, e) => (e[1] > m[1] ? e : m), ['structure', 0] as [string, number]);
      results.push({ c: rest, ratio, same: cmp.same, decisive: measure });
    }
  });

  it('finds every edit with a 50% margin', () => {
    const edits = results.filter((r) => r.c.label === 'different');
    assert.ok(edits.length >= 60, `${edits.length} edit cases`);
    for (const r of edits) assert.ok(r.ratio >= 1.5, `${r.c.source} ${r.c.kind} @${r.c.size}: ${r.decisive} at ${r.ratio.toFixed(2)}× its threshold`);
  });

  it('keeps every same-picture copy 15% under every threshold', () => {
    const copies = results.filter((r) => r.c.label === 'same' && !/no profile|16-bit P3/.test(r.c.kind));
    assert.ok(copies.length >= 80, `${copies.length} same cases`);
    for (const r of copies) assert.ok(r.ratio <= 0.85, `${r.c.source} ${r.c.kind}: ${r.decisive} at ${r.ratio.toFixed(2)}× its threshold`);
  });
});

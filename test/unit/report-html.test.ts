import assert from 'node:assert/strict';
import sharp from 'sharp';
import { distinctPhoto } from '../../mocks/fixtures/photos/generate.js';
import { clean, escapeHtml, jsonForScript, safeImageUri } from '../../src/report/html/clean.js';
import { CSP, photoNote } from '../../src/report/html/render.js';
import { createThumbnailCollector } from '../../src/usecases/thumbnails.js';
import { thumbnailUri } from '../../src/photo/thumbnail.js';
import type { HtmlRow } from '../../src/report/html/page.js';
import { diffFromBlocks, rowOf } from '../../src/report/html/from-report.js';
import { renderHtml } from '../../src/report/html.js';
import { summarise } from '../../src/sync/decide/classify.js';
import { usersPerStatus } from '../support/report-fixture.js';

describe('HTML report pieces', () => {
  it('strips NUL, terminal escapes, C1 and bidi overrides; escapes markup', () => {
    assert.equal(clean('a\u0000b\u001b[2Jc\u0085d\u202ee\u2066f\tg\nh'), 'ab[2Jcdef g h');
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('JSON for a script block cannot close it, and parses back to the same value', () => {
    const v = { s: '</script><!-- & \u2028' };
    const text = jsonForScript(v);
    assert.ok(!/[<>&\u2028]/.test(text));
    assert.deepEqual(JSON.parse(text), v);
  });

  it('embeds only base64 image data: URIs', () => {
    assert.equal(safeImageUri('data:image/webp;base64,AAAA'), 'data:image/webp;base64,AAAA');
    for (const bad of ['http://x/a.png', 'data:text/html;base64,PHNjcmlwdD4=', 'data:image/svg+xml;base64,AAAA', 'data:image/png;base64,AA"onerror=1']) {
      assert.equal(safeImageUri(bad), undefined, bad);
    }
  });

  it('the CSP forbids every fetch and allows only its own style and script', () => {
    assert.match(CSP, /^default-src 'none'; img-src data:; style-src 'sha256-[A-Za-z0-9+/]+=*'; script-src 'sha256-[A-Za-z0-9+/]+=*'/);
  });

  it("draws the comparator's block distances as the heat map, scaled to 0…1", () => {
    assert.equal(diffFromBlocks(undefined), undefined);
    assert.equal(diffFromBlocks([0.1, 0.2, 0.3]), undefined, 'not a square grid');
    const blocks = Array.from({ length: 64 }, (_, i) => (i === 7 ? 0.3 : i === 8 ? 0.03 : 0));
    const d = diffFromBlocks(blocks);
    assert.equal(d?.side, 8);
    assert.deepEqual([d?.cells[7], d?.cells[8], d?.cells[0]], [1, 0.2, 0]);
    const user = { ...usersPerStatus({ 'in-sync': 0, drifted: 1, 'missing-in-cloud': 0, 'missing-in-source': 0, unmatched: 0, blocked: 0, error: 0 })[0]!, blocks };
    const row = rowOf(user, { thumbs: { source: 'data:image/webp;base64,AAAA' } });
    assert.equal(row.visual?.diff?.side, 8);
    assert.equal(row.visual?.thumbs?.source, 'data:image/webp;base64,AAAA');
    assert.ok(renderHtml({ generatedAt: 'x', summary: summarise([user]), users: [user], notes: [] }).includes('"side":8'), 'the grid reaches the page');
  });

  it('says why a photo is missing', () => {
    const row = (status: string, reason = ''): HtmlRow => ({ key: 'k', name: 'n', upn: '', dn: '', status, reason, distance: null, route: 'graph', routeWhy: '' });
    assert.equal(photoNote(row('missing-in-cloud'), 'cloud'), 'no photo');
    assert.equal(photoNote(row('missing-in-source'), 'source'), 'no photo');
    assert.equal(photoNote(row('unmatched'), 'cloud'), 'no cloud user');
    assert.equal(photoNote(row('error', 'source photo: corrupt'), 'source'), 'unreadable');
    assert.equal(photoNote(row('error', 'cloud photo: 503'), 'cloud'), 'unreadable');
    assert.equal(photoNote(row('error', 'source photo: corrupt'), 'cloud'), 'not read');
    assert.equal(photoNote(row('missing-in-source'), 'cloud'), 'not read');
  });

  it('makes a 64×64 WebP thumbnail under a kilobyte and a half, and none of bytes that are not an image', async () => {
    const uri = await thumbnailUri(await distinctPhoto(3, { size: 648 }));
    assert.ok(uri?.startsWith('data:image/webp;base64,'));
    if (!uri) return;
    const bytes = Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 64, 64]);
    assert.ok(bytes.length < 2500, `${bytes.length} bytes`);
    assert.equal(await thumbnailUri(Buffer.from('not an image')), undefined);
  });

  it('collects thumbnails only for users needing attention, up to its bound', async () => {
    let made = 0;
    const c = createThumbnailCollector({ maxUsers: 2, make: async () => `data:image/webp;base64,${String(++made).padStart(4, 'A')}` });
    const b = Buffer.from('x');
    await c.add({ objectGuid: 'a', status: 'in-sync', source: b, cloud: b });
    await c.add({ objectGuid: 'b', status: 'drifted', source: b, cloud: b });
    await c.add({ objectGuid: 'c', status: 'missing-in-cloud', source: b });
    await c.add({ objectGuid: 'd', status: 'error', source: b });
    assert.deepEqual([...c.visuals.keys()], ['b', 'c']);
    assert.ok(c.visuals.get('b')?.thumbs?.source && c.visuals.get('b')?.thumbs?.cloud);
    assert.equal(c.visuals.get('c')?.thumbs?.cloud, undefined);
    assert.equal(made, 3);
  });
});

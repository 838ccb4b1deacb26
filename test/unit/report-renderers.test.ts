import assert from 'node:assert/strict';
import type { ClassifiedUser } from '../../src/sync/decide/classify.js';
import { summarise } from '../../src/sync/decide/classify.js';
import { renderReport, renderReportChunks, type Report } from '../../src/report/index.js';
import { REPORT_COLUMNS } from '../../src/report/model.js';

function row(p: Partial<ClassifiedUser>): ClassifiedUser {
  return {
    upn: 'ada@corp', dn: 'CN=Ada,DC=corp', objectGuid: 'g1', immutableId: 'i1', sAMAccountName: 'ada', displayName: 'Ada',
    cloudId: 'c1', matchedBy: 'immutableId', status: 'in-sync', reason: 'same picture', distance: 0.01, route: 'graph',
    routeWhy: 'x', sourceOrigin: 'thumbnailPhoto', sourceSha256: null, sourcePhash: null, cloudEtag: null, cloudPhash: null, ...p,
  };
}

const users = [
  row({}),
  row({ upn: 'mal@corp', dn: 'CN=Mal,"x",DC=corp', status: 'drifted', reason: '=HYPERLINK("http://evil")', distance: 0.4 }),
  row({ upn: null, dn: 'CN=<script>alert(1)</script>', status: 'unmatched', reason: 'no cloud user <b>', distance: null }),
];
const report: Report = { generatedAt: '2026-11-23T10:00:00.000Z', summary: summarise(users), users, notes: ['policy: cloud'] };

describe('report renderers', () => {
  it('json follows the documented contract', () => {
    const out = JSON.parse(renderReport(report, 'json'));
    assert.equal(out.generatedAt, report.generatedAt);
    assert.deepEqual(out.summary, { total: 3, 'in-sync': 1, drifted: 1, 'missing-in-cloud': 0, 'missing-in-source': 0, unmatched: 1, blocked: 0, error: 0 });
    assert.deepEqual(Object.keys(out.users[0]).slice(0, 6), ['upn', 'dn', 'objectGuid', 'status', 'reason', 'distance']);
    assert.equal(out.users[2].upn, null);
    assert.equal(out.users[2].distance, null);
  });

  it('json comes in chunks of a hundred users that join to exactly JSON.stringify(report, null, 2)', () => {
    const whole = (r: Report): string => {
      const rows = r.users.map((u) => Object.fromEntries(REPORT_COLUMNS.map((c) => [c, u[c] ?? null])));
      return `${JSON.stringify({ generatedAt: r.generatedAt, summary: r.summary, notes: r.notes, users: rows }, null, 2)}\n`;
    };
    for (const n of [0, 1, 3, 100, 250]) {
      const many = Array.from({ length: n }, (_, i) => users[i % users.length] as ClassifiedUser).map((u, i) => ({ ...u, objectGuid: `g${i}`, reason: `line\nbreak \u2028 "${i}"` }));
      const r: Report = { ...report, users: many, summary: summarise(many), notes: n === 0 ? [] : report.notes };
      const chunks = [...renderReportChunks(r, 'json')];
      assert.equal(chunks.join(''), whole(r), `${n} users`);
      assert.equal(renderReport(r, 'json'), whole(r));
      assert.equal(chunks.length, n === 0 ? 1 : Math.floor(n / 100) + 1, `${n} users: one chunk per hundred, and the rest`);
    }
    assert.deepEqual([...renderReportChunks(report, 'csv')], [renderReport(report, 'csv')], 'other formats: one chunk');
  });

  it('csv quotes, neutralises formulas and ends lines with CRLF', () => {
    const out = renderReport(report, 'csv');
    const lines = out.split('\r\n');
    assert.equal(lines[0], 'upn,dn,objectGuid,status,reason,distance,route,routeWhy,matchedBy,cloudId');
    assert.equal(lines.length, 5); // header + 3 rows + trailing empty
    assert.match(lines[2] as string, /^mal@corp,"CN=Mal,""x"",DC=corp",g1,drifted,"'=HYPERLINK\(""http:\/\/evil""\)",0\.4,/);
  });

  it('table aligns columns and ends with the summary', () => {
    const out = renderReport(report, 'table');
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0] as string, /^USER\s+STATUS\s+DIST\s+ROUTE\s+REASON$/);
    const statusCol = (lines[0] as string).indexOf('STATUS');
    assert.equal((lines[2] as string).indexOf('drifted'), statusCol);
    assert.match(out, /3 users: in-sync 1, drifted 1, unmatched 1/);
    assert.match(out, /note: policy: cloud/);
  });

  it('html escapes every value: markup escaped, the data block unable to close its script element', () => {
    const hostile = { ...report, notes: ['<b>policy</b>'] };
    const out = renderReport(hostile, 'html');
    assert.ok(!out.includes('<script>alert(1)'));
    assert.ok(out.includes('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e'), 'JSON data escapes < and >');
    assert.ok(out.includes('<p class="note">&lt;b&gt;policy&lt;/b&gt;</p>'));
    assert.match(out, /data-count="drifted">1</);
    assert.equal(out.match(/<\/script>/g)?.length, 2, 'only the data block and the script close a script element');
  });
});

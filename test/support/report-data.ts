/** Reads the rows back out of an HTML report's data block (src/report/html/render.ts), for assertions in Node. */
export interface ReportRow {
  name: string;
  upn: string;
  status: string;
  reason: string;
  action: string;
  result: string;
  source: string | null;
  cloud: string | null;
}

export function htmlReportRows(html: string): ReportRow[] {
  const m = /<script type="application\/json" id="hps-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m?.[1]) throw new Error('no data block in the HTML report');
  const data = JSON.parse(m[1]) as { table: string[]; rows: unknown[][] };
  const t = (i: unknown): string => data.table[i as number] ?? '';
  return data.rows.map((a) => ({
    name: a[0] as string,
    upn: a[1] as string,
    status: t(a[4]),
    reason: t(a[5]),
    action: t(a[9]),
    result: t(a[10]),
    source: (a[11] as string) || null,
    cloud: (a[12] as string) || null,
  }));
}

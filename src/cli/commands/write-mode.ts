/** The output of a reconcile run with an AD step (write modes `ad`, `both`): the cloud part, then the AD part. */
import type { AdImportResult } from '../../sync/decide/ad-plan.js';
import { adImportJson, adImportTable } from '../../report/ad-import.js';

/** The AD step's part of the run's output, after the cloud part (text) or under `activeDirectory` (JSON). */
export function withAdOutput(format: string, cloud: string | undefined, ad: AdImportResult | undefined): string {
  if (!ad) return cloud ?? '';
  if (format === 'json') {
    const base = cloud ? (JSON.parse(cloud) as Record<string, unknown>) : {};
    return `${JSON.stringify({ ...base, activeDirectory: adImportJson(ad) }, null, 2)}\n`;
  }
  return `${cloud ? `${cloud}\n` : ''}Active Directory (thumbnailPhoto):\n${adImportTable(ad)}`;
}

/**
 * The HTML report's size and speed budget (docs/report-format.md#size-and-speed), checked by the Chromium tests
 * on a 10,000-user report with the bench tenant's mix (38 % of users need attention).
 */
export const HTML_BUDGET = {
  /** Whole file at 10,000 users: ~0.13 KB per user of data plus ~0.95 KB per thumbnail (measured: 5.8 MB). */
  bytesAt10k: 7_000_000,
  /**
   * From navigation to the first page of rows drawn, in Debian's Chromium on a 2-core CI machine, other jobs
   * running (measured: about 1 s idle, 3 s under a load average of 12).
   */
  openMs: 5_000,
} as const;

/**
 * What the HTML renderer draws: plain data, built from a drift report or a reconcile/fix plan. Photos arrive as
 * small thumbnails (data URIs made while the run had the bytes, see thumbnails.ts); nothing here holds a photo.
 */

/** Two thumbnails of one user, as data: URIs (image/webp or image/jpeg). */
export interface UserThumbs {
  source?: string;
  cloud?: string;
}

/**
 * Where two pictures differ: a side×side grid of block distances (row-major, 0 = same, 1 = completely different),
 * as the comparator explains a drifted pair. Drawn as a heat map beside the photos.
 */
export interface DiffGrid {
  side: number;
  cells: readonly number[];
}

/** The visual extras for one user, keyed by objectGuid. */
export interface UserVisual {
  thumbs?: UserThumbs;
  diff?: DiffGrid;
}

export type VisualLookup = (objectGuid: string) => UserVisual | undefined;

export interface HtmlRow {
  key: string;
  /** Display name, else UPN, else DN. */
  name: string;
  upn: string;
  dn: string;
  status: string;
  reason: string;
  distance: number | null;
  route: string;
  routeWhy: string;
  /** Plans only: set / delete / skip, and the outcome (planned, ok, error, blocked…). */
  action?: string;
  result?: string;
  visual?: UserVisual;
}

export interface HtmlPage {
  kind: 'report' | 'plan';
  title: string;
  /** One line under the title (what was compared, run id…). */
  subtitle: string;
  generatedAt: string;
  /** Status → users, in display order. */
  counts: Array<[string, number]>;
  notes: string[];
  rows: HtmlRow[];
}

/** Statuses that need a person's attention come first; in-sync users are collapsed into a count. */
export const STATUS_ORDER = ['error', 'drifted', 'overwritten', 'low-resolution', 'missing-in-cloud', 'blocked', 'missing-in-source', 'unmatched', 'in-sync'];

export function statusRank(status: string): number {
  const i = STATUS_ORDER.indexOf(status);
  return i === -1 ? STATUS_ORDER.length - 1.5 : i;
}

export function needsAttention(status: string): boolean {
  return status !== 'in-sync';
}

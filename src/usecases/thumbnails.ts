/**
 * Thumbnails for the HTML report, made while the run has a user's photo bytes in hand and only for users that need
 * attention (src/photo/thumbnail.ts: 64 px WebP, under 1 KB as a data: URI). The collector keeps these small
 * strings, never the photos, so memory stays under 2 KB per attention user however big the photos are.
 */
import { thumbnailUri } from '../photo/thumbnail.js';
import { needsAttention, type UserThumbs, type UserVisual } from '../report/html/page.js';

/** Users with thumbnails at most (a bound on memory and file size for huge tenants; the rest show without). */
export const DEFAULT_MAX_THUMBNAIL_USERS = 20_000;

/** What passes by for one user: its status and whichever photo bytes the read had. */
export interface ThumbnailInput {
  objectGuid: string;
  status: string;
  source?: Buffer;
  cloud?: Buffer;
}

export interface ThumbnailCollector {
  /** Call as each user is classified; returns once the thumbnails are made (the bytes may be dropped then). */
  add(input: ThumbnailInput): Promise<void>;
  readonly visuals: ReadonlyMap<string, UserVisual>;
}

export function createThumbnailCollector(opts: { maxUsers?: number; make?: (b: Buffer) => Promise<string | undefined> } = {}): ThumbnailCollector {
  const visuals = new Map<string, UserVisual>();
  const max = opts.maxUsers ?? DEFAULT_MAX_THUMBNAIL_USERS;
  const make = opts.make ?? thumbnailUri;
  return {
    visuals,
    async add(input) {
      if (!needsAttention(input.status) || visuals.size >= max) return;
      if (!input.source && !input.cloud) return;
      const [source, cloud] = await Promise.all([input.source ? make(input.source) : undefined, input.cloud ? make(input.cloud) : undefined]);
      const thumbs: UserThumbs = { ...(source ? { source } : {}), ...(cloud ? { cloud } : {}) };
      if (thumbs.source || thumbs.cloud) visuals.set(input.objectGuid, { ...visuals.get(input.objectGuid), thumbs });
    },
  };
}

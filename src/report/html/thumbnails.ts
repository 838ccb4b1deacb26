/**
 * Thumbnails for the HTML report, made while the run has a user's photo bytes in hand and only for users that need
 * attention: a 64×64 centre crop as WebP (about 0.7 KB, under 1 KB as a data: URI). The collector keeps these small
 * strings, never the photos, so memory stays under 2 KB per attention user however big the photos are.
 */
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS } from '../../photo/decode.js';
import { needsAttention, type UserThumbs, type UserVisual } from './page.js';

export const THUMB_SIDE = 64;
export const THUMB_QUALITY = 45;
/** Users with thumbnails at most (a bound on memory and file size for huge tenants; the rest show without). */
export const DEFAULT_MAX_THUMBNAIL_USERS = 20_000;

/** A small WebP data: URI of the photo, or undefined when the bytes are not a readable image. */
export async function thumbnailUri(bytes: Buffer): Promise<string | undefined> {
  try {
    const out = await sharp(bytes, { limitInputPixels: DEFAULT_MAX_PIXELS, failOn: 'error' })
      .rotate()
      .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'cover', position: 'attention' })
      .webp({ quality: THUMB_QUALITY, effort: 6 })
      .toBuffer();
    return `data:image/webp;base64,${out.toString('base64')}`;
  } catch {
    return undefined;
  }
}

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

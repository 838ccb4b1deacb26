/**
 * Resolution drift: the cloud holds the same picture, but clearly smaller than the source can give after
 * normalisation (the symptom of Exchange Online taking AD's 96 px thumbnailPhoto once). Graph's photo metadata has
 * the stored width and height, so no download is needed to know it. Pure.
 */

/** The largest photo Microsoft 365 keeps (648×648), which is also what our upload normaliser makes at most. */
export const CLOUD_MAX_SIDE = 648;

/** The cloud copy is undersized when its side is below this share of what the source gives after normalising. */
export const RESOLUTION_FACTOR = 0.75;

export interface Size {
  width: number;
  height: number;
}

export interface ResolutionCheck {
  undersized: boolean;
  /** Side of the square our normaliser would upload: min(source's shorter side, 648). */
  sourceGives: number;
  /** Shorter side of the cloud photo. */
  cloudHolds: number;
  /** "the cloud holds 96×96, the source gives 648×648", when undersized. */
  reason?: string;
}

/**
 * Compares the cloud photo's size (from Graph's metadata) with what the source gives. A 96 px source against a
 * 96 px cloud copy is fine; a 96 px cloud copy of a 648 px source is not (96 < 0.75 × 648).
 */
export function checkResolution(source: Size, cloud: Partial<Size>, maxSide = CLOUD_MAX_SIDE): ResolutionCheck {
  const sourceGives = Math.min(source.width, source.height, maxSide);
  const cloudHolds = Math.min(cloud.width ?? 0, cloud.height ?? 0);
  // Unknown sizes (no metadata) are never called undersized.
  if (!(cloudHolds > 0) || !(sourceGives > 0)) return { undersized: false, sourceGives, cloudHolds };
  const undersized = cloudHolds < RESOLUTION_FACTOR * sourceGives;
  return undersized
    ? { undersized, sourceGives, cloudHolds, reason: `the cloud holds ${cloud.width}×${cloud.height}, the source gives ${sourceGives}×${sourceGives}` }
    : { undersized, sourceGives, cloudHolds };
}

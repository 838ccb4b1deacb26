/**
 * The tenant in memory: users (ordered, indexed by id, UPN, mail and immutable id), photos as Buffers with
 * their etag and a cache of resized variants, write counts, and the photo update settings.
 */
import { createHash } from 'node:crypto';
import { cloudReencode, resizeTo, type StoredImage } from './image.js';

/** Bytes of re-encoded uploads a store remembers (see TenantStore.reencode). */
export const REENCODED_BYTES = 32 * 1024 * 1024;

export interface StoredUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string | null;
  onPremisesImmutableId: string | null;
  onPremisesSyncEnabled: boolean | null;
  photoPlaceholder: boolean;
}

export interface PhotoRecord extends StoredImage {
  /** `W/"<hex>"`: changes on every write. */
  etag: string;
}

export interface PhotoUpdateSettings {
  source: 'cloud' | 'onPremises' | null;
  allowedRoles: string[];
}

export class TenantStore {
  readonly users: StoredUser[] = [];
  private readonly byId = new Map<string, StoredUser>();
  private readonly byUpn = new Map<string, StoredUser>();
  private readonly photos = new Map<string, PhotoRecord>();
  private readonly writes = new Map<string, number>();
  private writeSeq = 0;
  /** Resized variants by edge size, keyed by the stored bytes (users loaded from one file share them). */
  private readonly variants = new WeakMap<Buffer, Map<number, Promise<StoredImage>>>();
  /** Re-encoded uploads by the upload's SHA-256, oldest first, with the size of each result once known. */
  private readonly reencoded = new Map<string, { image: Promise<StoredImage>; bytes: number }>();
  private reencodedBytes = 0;
  settings: PhotoUpdateSettings = { source: null, allowedRoles: [] };

  constructor(readonly tenantId: string) {}

  addUser(user: StoredUser): void {
    if (this.byId.has(user.id.toLowerCase())) throw new Error(`duplicate user id ${user.id}`);
    if (this.byUpn.has(user.userPrincipalName.toLowerCase())) throw new Error(`duplicate userPrincipalName ${user.userPrincipalName}`);
    this.users.push(user);
    this.byId.set(user.id.toLowerCase(), user);
    this.byUpn.set(user.userPrincipalName.toLowerCase(), user);
  }

  /** By object id or userPrincipalName, case-insensitive, as Graph resolves /users/{id | userPrincipalName}. */
  resolve(idOrUpn: string): StoredUser | undefined {
    const k = idOrUpn.toLowerCase();
    return this.byId.get(k) ?? this.byUpn.get(k);
  }

  photo(userId: string): PhotoRecord | undefined {
    return this.photos.get(userId);
  }

  setPhoto(userId: string, image: StoredImage): PhotoRecord {
    this.writeSeq += 1;
    const hash = createHash('sha256').update(image.jpeg).update(`#${this.writeSeq}`).digest('hex');
    const record: PhotoRecord = { jpeg: image.jpeg, width: image.width, height: image.height, etag: `W/"${hash}"` };
    this.photos.set(userId, record);
    return record;
  }

  /** Replaces a stored photo's bytes, keeping its size and etag (control: a photo damaged in the service). */
  replacePhotoBytes(userId: string, jpeg: Buffer): void {
    const record = this.photos.get(userId);
    if (record) this.photos.set(userId, { ...record, jpeg });
  }

  deletePhoto(userId: string): boolean {
    return this.photos.delete(userId);
  }

  /**
   * An upload as the cloud stores it (image.ts, `cloudReencode`), worked out once per distinct upload: the result
   * depends on the bytes alone. Exchange spends its own CPU on this; the emulator shares the machine with the tool
   * it serves, so a repeated upload (a bench tenant draws its photos from a small pool) costs it a SHA-256 instead of
   * a decode and an encode. Users given the same upload share the stored bytes (and so their resized variants); each
   * write still gets its own etag. At most REENCODED_BYTES of results are kept, the oldest dropped first.
   */
  reencode(upload: Buffer): Promise<StoredImage> {
    const key = createHash('sha256').update(upload).digest('hex');
    const known = this.reencoded.get(key);
    if (known) return known.image;
    const entry = { image: cloudReencode(upload), bytes: 0 };
    this.reencoded.set(key, entry);
    entry.image.then(
      (img) => {
        if (this.reencoded.get(key) !== entry) return;
        entry.bytes = img.jpeg.length;
        this.reencodedBytes += entry.bytes;
        for (const [k, e] of this.reencoded) {
          if (this.reencodedBytes <= REENCODED_BYTES) break;
          this.reencoded.delete(k);
          this.reencodedBytes -= e.bytes;
        }
      },
      () => void (this.reencoded.get(key) === entry && this.reencoded.delete(key)),
    );
    return entry.image;
  }

  /** A resized variant, computed once per distinct stored image. */
  variant(record: PhotoRecord, size: number): Promise<StoredImage> {
    let bySize = this.variants.get(record.jpeg);
    if (!bySize) {
      bySize = new Map();
      this.variants.set(record.jpeg, bySize);
    }
    let v = bySize.get(size);
    if (!v) {
      const cache = bySize;
      v = resizeTo(record, size);
      cache.set(size, v);
      v.catch(() => cache.delete(size));
    }
    return v;
  }

  countWrite(userId: string): void {
    this.writes.set(userId, (this.writes.get(userId) ?? 0) + 1);
  }

  writeCounts(): Record<string, number> {
    return Object.fromEntries(this.writes);
  }
}

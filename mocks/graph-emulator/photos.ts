/**
 * /users/{id | upn}/photo and /photos: metadata, bytes, HD sizes, PUT/PATCH (re-encoded like the cloud)
 * and DELETE. Writes are refused while photoUpdateSettings.source is onPremises.
 */
import { badRequest, graphError, imageNotFound, InvalidImageError, notFoundUser } from './errors.js';
import { binaryResponse, emptyResponse, jsonResponse, mediaType, type GraphRequest, type GraphResponse } from './http.js';
import { availableSizes, parseSizeId } from './image.js';
import type { PhotoRecord, StoredUser, TenantStore } from './store.js';

export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;
export const ACCEPTED_UPLOAD_TYPES = ['image/jpeg', 'image/jpg', 'image/png'];

export interface PhotosContext {
  store: TenantStore;
  baseUrl: string;
}

const sizeId = (w: number, h: number): string => `${w}X${h}`;

function entityContext(ctx: PhotosContext, req: GraphRequest, user: StoredUser, tail: string): string {
  return `${ctx.baseUrl}/${req.version}/$metadata#users('${user.id}')/${tail}`;
}

export function onPremisesBlock(): GraphResponse {
  return graphError(
    403,
    'Authorization_RequestDenied',
    "Photo updates in the cloud are disabled for this organization (photoUpdateSettings.source is 'onPremises'). " +
      'Change the photo on-premises and let directory synchronization carry it.',
  );
}

export function getPhotoMeta(ctx: PhotosContext, req: GraphRequest, idOrUpn: string): GraphResponse {
  const user = ctx.store.resolve(idOrUpn);
  if (!user) return notFoundUser(idOrUpn);
  const photo = ctx.store.photo(user.id);
  const context = entityContext(ctx, req, user, 'photo/$entity');
  if (!photo) {
    if (!user.photoPlaceholder) return imageNotFound();
    return jsonResponse(200, {
      '@odata.context': context,
      '@odata.mediaContentType': 'image/gif',
      '@odata.mediaEtag': '',
      id: '1X1',
      width: 1,
      height: 1,
    });
  }
  return jsonResponse(200, {
    '@odata.context': context,
    '@odata.mediaContentType': 'image/jpeg',
    '@odata.mediaEtag': photo.etag,
    id: sizeId(photo.width, photo.height),
    width: photo.width,
    height: photo.height,
  });
}

export function getPhotoValue(ctx: PhotosContext, idOrUpn: string): GraphResponse {
  const user = ctx.store.resolve(idOrUpn);
  if (!user) return notFoundUser(idOrUpn);
  const photo = ctx.store.photo(user.id);
  if (!photo) return imageNotFound();
  return binaryResponse(photo.jpeg, 'image/jpeg', { ETag: photo.etag });
}

function sizeEntry(photo: PhotoRecord, size: number): Record<string, unknown> {
  return { '@odata.mediaEtag': photo.etag, id: sizeId(size, size), width: size, height: size };
}

export function listPhotos(ctx: PhotosContext, req: GraphRequest, idOrUpn: string): GraphResponse {
  const user = ctx.store.resolve(idOrUpn);
  if (!user) return notFoundUser(idOrUpn);
  const photo = ctx.store.photo(user.id);
  const value = photo ? availableSizes(photo.width, photo.height).map((s) => sizeEntry(photo, s)) : [];
  return jsonResponse(200, { '@odata.context': entityContext(ctx, req, user, 'photos'), value });
}

function sizedPhoto(ctx: PhotosContext, idOrUpn: string, size: string): { photo: PhotoRecord; edge: number } | GraphResponse {
  const user = ctx.store.resolve(idOrUpn);
  if (!user) return notFoundUser(idOrUpn);
  const photo = ctx.store.photo(user.id);
  const edge = parseSizeId(size);
  if (!photo || edge === null || !availableSizes(photo.width, photo.height).includes(edge)) return imageNotFound();
  return { photo, edge };
}

export function getSizeMeta(ctx: PhotosContext, req: GraphRequest, idOrUpn: string, size: string): GraphResponse {
  const found = sizedPhoto(ctx, idOrUpn, size);
  if ('status' in found) return found;
  const user = ctx.store.resolve(idOrUpn) as StoredUser;
  return jsonResponse(200, {
    '@odata.context': entityContext(ctx, req, user, 'photos/$entity'),
    '@odata.mediaContentType': 'image/jpeg',
    ...sizeEntry(found.photo, found.edge),
  });
}

export async function getSizeValue(ctx: PhotosContext, idOrUpn: string, size: string): Promise<GraphResponse> {
  const found = sizedPhoto(ctx, idOrUpn, size);
  if ('status' in found) return found;
  const variant = await ctx.store.variant(found.photo, found.edge);
  return binaryResponse(variant.jpeg, 'image/jpeg', { ETag: found.photo.etag });
}

export async function putPhoto(ctx: PhotosContext, req: GraphRequest, idOrUpn: string): Promise<GraphResponse> {
  if (req.body.length > MAX_UPLOAD_BYTES) {
    return graphError(413, 'RequestEntityTooLarge', `The photo is ${req.body.length} bytes; the limit is 4 MB (${MAX_UPLOAD_BYTES} bytes).`);
  }
  const user = ctx.store.resolve(idOrUpn);
  if (!user) return notFoundUser(idOrUpn);
  if (ctx.store.settings.source === 'onPremises') return onPremisesBlock();
  const type = mediaType(req.headers['content-type']);
  if (!ACCEPTED_UPLOAD_TYPES.includes(type)) {
    return badRequest(`Content-Type '${type || '(none)'}' is not supported for a photo; send image/jpeg or image/png.`);
  }
  if (req.body.length === 0) return badRequest('The request body is empty; send the photo bytes.');
  try {
    const image = await ctx.store.reencode(req.body);
    ctx.store.setPhoto(user.id, image);
  } catch (err) {
    if (err instanceof InvalidImageError) return badRequest('The photo is not a valid image (JPEG or PNG expected).');
    throw err;
  }
  ctx.store.countWrite(user.id);
  return emptyResponse(200);
}

export function deletePhoto(ctx: PhotosContext, idOrUpn: string): GraphResponse {
  const user = ctx.store.resolve(idOrUpn);
  if (!user) return notFoundUser(idOrUpn);
  if (ctx.store.settings.source === 'onPremises') return onPremisesBlock();
  if (!ctx.store.deletePhoto(user.id)) return imageNotFound();
  ctx.store.countWrite(user.id);
  return emptyResponse(204);
}

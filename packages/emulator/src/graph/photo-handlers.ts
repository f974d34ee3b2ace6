import type { User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Params } from "../http/router.js";
import { authenticateUserOrApp, READ_PROFILE, targetUser } from "./auth.js";
import { graphErrors } from "./errors.js";
import {
  DEFAULT_PHOTO_SIZE,
  PHOTO_SIZES,
  type PhotoCache,
  parsePhotoSize,
  photoId,
} from "./photo.js";
import { graphHeaders, sendGraphJson } from "./respond.js";

/** The user whose photo is asked for, after the token and permission checks. */
async function photoOwner(ctx: EmulatorContext, exchange: Exchange, params: Params): Promise<User> {
  const caller = await authenticateUserOrApp(ctx, exchange);
  const user = targetUser(ctx, caller, params.id, READ_PROFILE).value;
  if (!user.photo) throw graphErrors.imageNotFound();
  return user;
}

/** The size a route asks for: the `{size}` segment, or the default photo. */
function requestedSize(params: Params): number {
  if (params.size === undefined) return DEFAULT_PHOTO_SIZE;
  const size = parsePhotoSize(params.size);
  if (size === undefined) throw graphErrors.photoSizeNotFound(params.size);
  return size;
}

function photoMetadata(photos: PhotoCache, user: User, size: number) {
  return {
    "@odata.mediaContentType": "image/jpeg",
    "@odata.mediaEtag": photos.get(user.id, size).etag,
    id: photoId(size),
    height: size,
    width: size,
  };
}

/** Handlers for `/photo`, `/photo/$value`, `/photos` and `/photos/{size}[/$value]`, sharing one cache. */
export function photoHandlers(ctx: EmulatorContext, photos: PhotoCache) {
  return {
    /** GET …/photo and …/photos/{size}: the photo's metadata. */
    async metadata(exchange: Exchange, params: Params): Promise<void> {
      const user = await photoOwner(ctx, exchange, params);
      const size = requestedSize(params);
      const entitySet = params.size === undefined ? "photo" : "photos";
      sendGraphJson(exchange, 200, {
        "@odata.context": `${ctx.urls.https}/v1.0/$metadata#users('${user.id}')/${entitySet}/$entity`,
        ...photoMetadata(photos, user, size),
      });
    },

    /** GET …/photos: every size there is. */
    async list(exchange: Exchange, params: Params): Promise<void> {
      const user = await photoOwner(ctx, exchange, params);
      sendGraphJson(exchange, 200, {
        "@odata.context": `${ctx.urls.https}/v1.0/$metadata#users('${user.id}')/photos`,
        value: PHOTO_SIZES.map((size) => photoMetadata(photos, user, size)),
      });
    },

    /** GET …/photo/$value and …/photos/{size}/$value: the JPEG bytes. */
    async value(exchange: Exchange, params: Params): Promise<void> {
      const user = await photoOwner(ctx, exchange, params);
      const photo = photos.get(user.id, requestedSize(params));
      exchange.send(200, photo.jpeg, {
        ...graphHeaders(exchange),
        "content-type": "image/jpeg",
        etag: photo.etag,
        "cache-control": "private, no-cache",
      });
    },
  };
}

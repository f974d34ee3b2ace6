import { createHash } from "node:crypto";
import { encode } from "jpeg-js";

/** The square sizes Graph serves under `/photos/{size}`, in pixels. */
export const PHOTO_SIZES: readonly number[] = [48, 64, 96, 120, 240, 360, 432, 504, 648];

/** The size of `/photo/$value`. */
export const DEFAULT_PHOTO_SIZE = 240;

/** Graph's id of a photo size, e.g. `240X240`. */
export function photoId(size: number): string {
  return `${size}X${size}`;
}

/** The pixel size for a `/photos/{size}` segment such as `48x48`, or undefined when Graph has none. */
export function parsePhotoSize(segment: string): number | undefined {
  const match = /^(\d+)x(\d+)$/i.exec(segment);
  if (!match || match[1] !== match[2]) return undefined;
  const size = Number(match[1]);
  return PHOTO_SIZES.includes(size) ? size : undefined;
}

/** Identicon grid: 5 by 5 cells, mirrored left to right, with half a cell of margin. */
const CELLS = 5;
const BACKGROUND = [240, 240, 240] as const;
const JPEG_QUALITY = 90;

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = hue / 60;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1
      ? [chroma, x, 0]
      : h < 2
        ? [x, chroma, 0]
        : h < 3
          ? [0, chroma, x]
          : h < 4
            ? [0, x, chroma]
            : h < 5
              ? [x, 0, chroma]
              : [chroma, 0, x];
  const m = lightness - chroma / 2;
  return [r, g, b].map((v) => Math.round((v + m) * 255)) as [number, number, number];
}

/**
 * RGBA pixels of an identicon for `seed`: the same seed always gives the same picture, so a user's
 * photo is stable across restarts and recognisable in a UI.
 */
export function renderIdenticon(seed: string, size: number): Buffer {
  const hash = createHash("sha256").update(seed).digest();
  const hue = (((hash[0] ?? 0) << 8) | (hash[1] ?? 0)) % 360;
  const foreground = hslToRgb(hue, 0.55, 0.5);
  const half = Math.ceil(CELLS / 2);
  const on = (column: number, row: number): boolean => {
    const mirrored = column < half ? column : CELLS - 1 - column;
    const bit = row * half + mirrored;
    return (((hash[2 + (bit >> 3)] ?? 0) >> (bit & 7)) & 1) === 1;
  };
  const pixels = Buffer.alloc(size * size * 4);
  // The grid spans CELLS + 1 cells: half a cell of margin on each side.
  const scale = (CELLS + 1) / size;
  for (let y = 0; y < size; y++) {
    const row = Math.floor(y * scale - 0.5);
    for (let x = 0; x < size; x++) {
      const column = Math.floor(x * scale - 0.5);
      const inside = row >= 0 && row < CELLS && column >= 0 && column < CELLS;
      const colour = inside && on(column, row) ? foreground : BACKGROUND;
      const at = (y * size + x) * 4;
      pixels[at] = colour[0];
      pixels[at + 1] = colour[1];
      pixels[at + 2] = colour[2];
      pixels[at + 3] = 255;
    }
  }
  return pixels;
}

/** An encoded photo and its entity tag. */
export interface Photo {
  readonly jpeg: Buffer;
  readonly etag: string;
}

/**
 * Generated JPEG photos, cached per user and size. Encoding is slow in pure JavaScript, and a page
 * showing a photo asks for it on every view; the bound keeps a large directory from filling memory.
 */
export class PhotoCache {
  readonly #entries = new Map<string, Photo>();

  constructor(private readonly limit = 64) {}

  get(userId: string, size: number): Photo {
    const key = `${userId}/${size}`;
    const cached = this.#entries.get(key);
    if (cached) {
      // Re-insert so that the least recently used entry is the first to go.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const data = renderIdenticon(userId, size);
    const jpeg = encode({ data, width: size, height: size }, JPEG_QUALITY).data;
    const photo = {
      jpeg,
      etag: `W/"${createHash("sha256").update(jpeg).digest("hex").slice(0, 16)}"`,
    };
    this.#entries.set(key, photo);
    if (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return photo;
  }
}

// The image being tried: read once in the renderer (a File from the file picker or a drop, in
// Electron and the browser alike) into the base64 the service takes and a bitmap to draw on.

/** What the service decodes (seed 004: JPG, PNG, BMP; the processor also reads GIF and WebP). */
export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/bmp', 'image/gif', 'image/webp'] as const;
const ACCEPTED_EXTENSIONS = /\.(jpe?g|png|bmp|gif|webp)$/i;

export interface PickedImage {
  /** Changes with every pick, so results of an earlier image are never shown for this one. */
  key: string;
  name: string;
  size: number;
  base64: string;
  /** Decoded with its EXIF orientation applied, the frame the service's meta and boxes use. */
  bitmap: ImageBitmap;
}

let picks = 0;
/** The last image tried, kept for the session: going to Publish and back, or to another version, keeps it. */
let remembered: PickedImage | null = null;

export function rememberedImage(): PickedImage | null {
  return remembered;
}

export function remember(image: PickedImage): void {
  if (remembered && remembered !== image) remembered.bitmap.close();
  remembered = image;
}

function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** Reads a picked or dropped file; rejects with a sentence a user can act on. */
export async function readImage(file: File): Promise<PickedImage> {
  if (!(ACCEPTED_TYPES as readonly string[]).includes(file.type) && !ACCEPTED_EXTENSIONS.test(file.name)) {
    throw new Error(`${file.name} is not a JPEG, PNG or BMP image`);
  }
  const [base64, bitmap] = await Promise.all([
    readBase64(file),
    createImageBitmap(file, { imageOrientation: 'from-image' }).catch(() => {
      throw new Error(`${file.name} could not be decoded as an image`);
    }),
  ]);
  picks += 1;
  return { key: `${picks}:${file.name}`, name: file.name, size: file.size, base64, bitmap };
}

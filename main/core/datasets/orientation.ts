import type { Box } from '../../shared/api';

/**
 * Maps a box from the stored pixel frame (what labelImg and other EXIF-blind tools label in) to the
 * displayed frame that the studio uses everywhere. `rawWidth`/`rawHeight` are the stored dimensions.
 */
function rawBoxToDisplayed(box: Box, orientation: number, rawWidth: number, rawHeight: number): Box {
  const [x1, y1] = rawPointToDisplayed(box.xmin, box.ymin, orientation, rawWidth, rawHeight);
  const [x2, y2] = rawPointToDisplayed(box.xmax, box.ymax, orientation, rawWidth, rawHeight);
  return { ...box, xmin: Math.min(x1, x2), ymin: Math.min(y1, y2), xmax: Math.max(x1, x2), ymax: Math.max(y1, y2) };
}

function rawPointToDisplayed(x: number, y: number, orientation: number, w: number, h: number): [number, number] {
  switch (orientation) {
    case 2: return [w - x, y]; // mirrored horizontally
    case 3: return [w - x, h - y]; // rotated 180°
    case 4: return [x, h - y]; // mirrored vertically
    case 5: return [y, x]; // transposed
    case 6: return [h - y, x]; // rotated 90° clockwise
    case 7: return [h - y, w - x]; // transversed
    case 8: return [y, w - x]; // rotated 90° counter-clockwise
    default: return [x, y];
  }
}

/**
 * Boxes from an annotation file, in the displayed frame of an image of displayed size `width`×`height`.
 * A file whose `<size>` is the stored (unrotated) size of a 90°-rotated photo was made by an EXIF-blind
 * tool such as labelImg: its boxes are mapped. Otherwise they are taken as displayed.
 */
export function boxesInDisplayedFrame(
  boxes: Box[],
  fileSize: { width: number; height: number } | null | undefined,
  image: { orientation: number; width: number; height: number },
): Box[] {
  const swapped = image.orientation >= 5;
  const rawWidth = swapped ? image.height : image.width;
  const rawHeight = swapped ? image.width : image.height;
  const rawFrame = swapped && fileSize != null && fileSize.width === rawWidth && fileSize.height === rawHeight && rawWidth !== rawHeight;
  return rawFrame ? boxes.map((b) => rawBoxToDisplayed(b, image.orientation, rawWidth, rawHeight)) : boxes;
}

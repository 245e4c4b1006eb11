import type { Box } from '../../shared/api';

/**
 * Maps a box from the stored pixel frame (what labelImg and other EXIF-blind tools label in) to the
 * displayed frame that the studio uses everywhere. `rawWidth`/`rawHeight` are the stored dimensions.
 */
export function rawBoxToDisplayed(box: Box, orientation: number, rawWidth: number, rawHeight: number): Box {
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

// The tried image with what the model found drawn over it (Konva): each box or OCR line as its
// quadrilateral with a tag (class and confidence, or the recognised text), or for a classifier the
// top class in a corner. Items arrive already filtered by the threshold; state stays outside.
import { useRef } from 'react';
import { Group, Image as KonvaImage, Label, Layer, Line, Stage, Tag, Text } from 'react-konva';
import type { InstanceType } from '../../../../main/shared/api';
import { plural } from '../../format';
import { useWidth } from '../../hooks';
import { labelColor } from '../../labeling/canvas/paint';
import { bounds, formatConfidence, type PredictionItem } from './predictions';

/** Taller images are scaled down to this; small ones are scaled up to the panel's width, up to 8×. */
const MAX_HEIGHT = 440;
const MAX_UPSCALE = 8;
const TAG_HEIGHT = 18;

interface PredictionCanvasProps {
  bitmap: ImageBitmap;
  /** The service's meta size; boxes are in its pixels (normally the bitmap's own). */
  frame: { width: number; height: number };
  type: InstanceType;
  items: readonly PredictionItem[];
  /** The list row under the pointer: its box is drawn bolder, the others fade. */
  highlighted: number | null;
  name: string;
}

function tagText(type: InstanceType, item: PredictionItem): string {
  return type === 'ocr' ? item.label : `${item.label} ${formatConfidence(item.conf)}`;
}

export function PredictionCanvas({ bitmap, frame, type, items, highlighted, name }: PredictionCanvasProps) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const scale = width > 0 ? Math.min(width / bitmap.width, MAX_HEIGHT / bitmap.height, MAX_UPSCALE) : 0;
  const [w, h] = [Math.round(bitmap.width * scale), Math.round(bitmap.height * scale)];
  // From the service's frame to the screen: equal to `scale` unless the service saw another size.
  const sx = frame.width > 0 ? (bitmap.width / frame.width) * scale : scale;
  const sy = frame.height > 0 ? (bitmap.height / frame.height) * scale : scale;
  const boxes = items.filter((item) => item.quad !== null);
  const top = type === 'classification' ? items[0] : undefined;
  const summary =
    type === 'classification'
      ? `${name}: ${top ? `${top.label} ${formatConfidence(top.conf)}` : 'no class above the threshold'}`
      : `${name}: ${type === 'ocr' ? plural(boxes.length, 'text line') : plural(boxes.length, 'box', 'boxes')} drawn`;

  return (
    <div ref={box} className="prediction-canvas" role="img" aria-label={summary} data-shapes={boxes.length}>
      {scale > 0 && (
        <Stage width={w} height={h} listening={false}>
          {/* Pixelated when blown up: a 40 px sample should look like its pixels, not a blur. */}
          <Layer listening={false} imageSmoothingEnabled={scale < 3}>
            <KonvaImage image={bitmap} width={w} height={h} />
          </Layer>
          <Layer listening={false}>
            {boxes.map((item) => {
              const color = labelColor(item.label);
              const faded = highlighted !== null && highlighted !== item.index;
              const points = item.quad!.flatMap(([x, y]) => [x * sx, y * sy]);
              const b = bounds(item.quad!);
              const [tx, ty] = [Math.max(0, b.xmin * sx), b.ymin * sy >= TAG_HEIGHT ? b.ymin * sy - TAG_HEIGHT : b.ymin * sy];
              return (
                <Group key={item.index} opacity={faded ? 0.35 : 1}>
                  <Line points={points} closed stroke={color} strokeWidth={highlighted === item.index ? 3 : 2} fill={highlighted === item.index ? 'rgba(255,255,255,0.18)' : undefined} perfectDrawEnabled={false} />
                  <Label x={tx} y={ty}>
                    <Tag fill={color} />
                    <Text text={tagText(type, item)} fill="#fff" fontSize={12} padding={3} fontFamily="system-ui, sans-serif" />
                  </Label>
                </Group>
              );
            })}
            {top && (
              <Label x={8} y={8}>
                {/* Dark, not the label's colour: a class named "red" in teal reads wrong, and dark shows on any photo. */}
                <Tag fill="rgba(17, 24, 39, 0.78)" cornerRadius={3} />
                <Text text={`${top.label} ${formatConfidence(top.conf)}`} fill="#fff" fontSize={14} fontStyle="bold" padding={6} fontFamily="system-ui, sans-serif" />
              </Label>
            )}
          </Layer>
        </Stage>
      )}
    </div>
  );
}

// Where a detector's predictions live. The network's output is one tensor [batch, cells, classes + 4]:
// the cells of every pyramid level, level by level (finest first), each level row-major (y, then x).
// Per cell: one heatmap logit per class, then the box as four log-distances (left, top, right,
// bottom) from the cell's centre, in units of the level's stride: distance = stride · exp(t).

export interface Level {
  /** Input pixels per cell. */
  stride: number;
  /** Cells per side (the input is square: inputSize / stride). */
  size: number;
}

export interface Layout {
  /** Side of the square (letterboxed) network input, in pixels. */
  inputSize: number;
  classes: number;
  /** Finest first. */
  levels: Level[];
}

export function layoutFor(inputSize: number, classes: number, strides: readonly number[]): Layout {
  const sorted = [...strides].sort((a, b) => a - b);
  return { inputSize, classes, levels: sorted.map((stride) => ({ stride, size: Math.ceil(inputSize / stride) })) };
}

export function cellCount(layout: Layout): number {
  return layout.levels.reduce((n, l) => n + l.size * l.size, 0);
}

/** Index of each level's first cell in the output. */
export function levelOffsets(layout: Layout): number[] {
  const out: number[] = [];
  let n = 0;
  for (const l of layout.levels) {
    out.push(n);
    n += l.size * l.size;
  }
  return out;
}

/**
 * The level an object belongs to, by its longer side in input pixels (FCOS' size ranges): the
 * finest level whose stride × 8 covers it, else the coarsest. One level: always that one.
 */
export function levelFor(layout: Layout, longSide: number): number {
  const last = layout.levels.length - 1;
  for (let l = 0; l < last; l++) if (longSide <= layout.levels[l]!.stride * 8) return l;
  return last;
}

/** Per cell: its level's stride and its centre in input pixels (x, y). */
export function cellGeometry(layout: Layout): { stride: Float32Array; cx: Float32Array; cy: Float32Array } {
  const n = cellCount(layout);
  const stride = new Float32Array(n);
  const cx = new Float32Array(n);
  const cy = new Float32Array(n);
  let k = 0;
  for (const { stride: s, size } of layout.levels) {
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        stride[k] = s;
        cx[k] = (j + 0.5) * s;
        cy[k] = (i + 0.5) * s;
        k++;
      }
    }
  }
  return { stride, cx, cy };
}

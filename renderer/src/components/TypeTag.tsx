import type { InstanceType } from '../../../main/shared/api';
import { TYPE_LABELS } from '../format';

/** The instance type as a coloured tag ("Image classification", "Object detection", "OCR"). */
export function TypeTag({ type }: { type: InstanceType }) {
  return <span className={`type-tag type-${type}`}>{TYPE_LABELS[type]}</span>;
}

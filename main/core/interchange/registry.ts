import { StudioError, type ExportFormat, type FormatInfo, type InstanceType } from '../../shared/api';
import type { FormatProvider } from './format';
import { coco } from './formats/coco';
import { folders } from './formats/folders';
import { ppocr } from './formats/ppocr';
import { voc, vocDevkit } from './formats/voc';
import { yolo } from './formats/yolo';

/** Every interchange format, one module each (as VoTT registers its export providers). */
const PROVIDERS: readonly FormatProvider[] = [
  voc,
  vocDevkit,
  folders,
  coco,
  yolo,
  ppocr,
];

export function listFormats(): FormatInfo[] {
  return PROVIDERS.map(({ id, title, description, types }) => ({ id, title, description, types: [...types] }));
}

/** The provider for `id`, checked against the dataset's instance type. */
export function formatFor(id: ExportFormat, type: InstanceType): FormatProvider {
  const p = PROVIDERS.find((f) => f.id === id);
  if (!p) throw new StudioError('invalid_input', `unknown format "${id}" (known: ${PROVIDERS.map((f) => f.id).join(', ')})`, 'format');
  if (!p.types.includes(type)) {
    throw new StudioError('invalid_input', `format "${id}" does not carry ${type} datasets (it takes ${p.types.join(', ')})`, 'format');
  }
  return p;
}

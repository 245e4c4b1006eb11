// "Create from template" (seed 004 从模板创建): demo data of each instance type, written locally.

import type { InstanceType } from '../../shared/api';
import { generateOcrCards } from './ocr-cards';
import { classificationDemo, detectionDemo } from './shapes';

/** Writes the demo images (and their labels) of `type` into the empty folder `dir`. */
export async function writeTemplateData(type: InstanceType, dir: string, seed = 1): Promise<void> {
  switch (type) {
    case 'classification':
      await classificationDemo(dir, { seed });
      return;
    case 'detection':
      await detectionDemo(dir, { seed });
      return;
    case 'ocr':
      // The seed's bank-card example; the last cards keep their sidecars too (OCR labeling edits text).
      await generateOcrCards({ outDir: dir, count: 24, seed, layout: 'bank-card', cjk: 'auto' });
      return;
  }
}

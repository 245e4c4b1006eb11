import { Command, InvalidArgumentError, Option } from 'commander';
import { evaluateDetections, type DetectionEvaluation, type Interpolation } from '../../core/evaluation';
import { loadDetections, loadVocFolder } from '../../core/evaluation/load';
import { table } from '../output';
import { printResult, type GlobalOptions } from '../run';

interface EvalOptions {
  gt: string;
  pred: string;
  iou: number;
  interp: Interpolation;
}

function iouThreshold(value: string): number {
  const n = Number(value);
  if (!(value.trim() !== '' && n > 0 && n <= 1)) throw new InvalidArgumentError('expected a number in (0, 1], e.g. 0.5');
  return n;
}

export function evalDetectionsCommand(): Command {
  return new Command('eval-detections')
    .description('Score detections against PASCAL VOC ground truth: VOC mAP (devkit) and COCO mAP@[.5:.95]')
    .requiredOption('--gt <dir>', 'folder of VOC XML files, one per image; the image key is the file name without .xml')
    .requiredOption('--pred <file>', 'JSON array or JSON lines of {image, label, score, xmin, ymin, xmax, ymax}')
    .addOption(new Option('--iou <threshold>', 'VOC IoU threshold (a match needs IoU >= it)').argParser(iouThreshold).default(0.5))
    .addOption(new Option('--interp <method>', 'all-point (VOC2010+) or 11-point (VOC2007) AP').choices(['all', '11']).default('all'))
    .action(async (_options: unknown, command: Command) => {
      // No workspace is involved: no Studio is opened, but the output follows the same rules.
      const o = command.optsWithGlobals<EvalOptions & GlobalOptions>();
      await printResult(o.json === true, async () => {
        const [groundTruth, detections] = await Promise.all([loadVocFolder(o.gt), loadDetections(o.pred)]);
        const result = evaluateDetections(groundTruth, detections, { iou: o.iou, interp: o.interp });
        return { json: toJson(result), text: toText(result) };
      });
    });
}

function warnings(r: DetectionEvaluation): string[] {
  const { images, detections } = r.unknownImages;
  return images === 0
    ? []
    : [`${detections} detection(s) on ${images} image(s) without a ground-truth file were counted as false positives`];
}

// The JSON leaves out the PR curves: one point per detection is too much for a summary.
function toJson(r: DetectionEvaluation) {
  return {
    mAP: r.mAP,
    cocoMAP: r.cocoMAP,
    iou: r.iou,
    interp: r.interp,
    images: r.images,
    detections: r.detections,
    unknownImages: r.unknownImages,
    warnings: warnings(r),
    classes: Object.fromEntries(
      Object.entries(r.classes).map(([label, c]) => [
        label,
        { ap: c.ap, tp: c.tp, fp: c.fp, positives: c.positives, ignored: c.ignored, difficult: c.difficult, detections: c.detections, cocoAP: c.cocoAP },
      ]),
    ),
  };
}

function toText(r: DetectionEvaluation): string {
  const fixed = (x: number | null) => (x === null ? null : x.toFixed(4));
  const rows = Object.entries(r.classes).map(([label, c]) => [label, fixed(c.ap), c.tp, c.fp, c.positives, fixed(c.cocoAP)]);
  const counted = Object.values(r.classes).filter((c) => c.ap !== null).length;
  const method = r.interp === 'all' ? 'all-point' : '11-point';
  return [
    table(['CLASS', 'AP', 'TP', 'FP', 'POSITIVES', 'COCO AP'], rows),
    `mAP (VOC ${method}, IoU ${r.iou}): ${fixed(r.mAP) ?? '-'} over ${counted} class(es) with ground truth`,
    `COCO mAP@[.5:.95]: ${fixed(r.cocoMAP) ?? '-'}`,
    `${r.images} image(s), ${r.detections} detection(s)`,
    ...warnings(r).map((w) => `Warning: ${w}`),
  ].join('\n');
}

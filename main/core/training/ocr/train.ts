// OCR training (seed 004 §4.4): two stages in one run. (1) A text detector: the detection trainer on
// the same images with every box labelled "text". (2) A recognizer (CRNN + CTC) on the boxes' crops,
// whose VOC names are the transcriptions. The saved model is the detector's folder with the
// recognizer in recognizer/ and metadata.json of type "ocr" (charset, recognizer geometry, metrics).

import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OcrMetrics, StopReason } from '../../../shared/api';
import { folderIO } from '../backbones/folder-io';
import { trainDetector } from '../detection/train';
import { METADATA_FILE } from '../model-metadata';
import type { TrainerIO, TrainOutcome, WorkerSpec } from '../protocol';
import { modelBytes } from '../saved-model';
import { RECOGNIZER_DIR } from './recognize';
import type { RecognizerSample } from './train-recognizer';
import { trainRecognizer } from './train-recognizer';

export const TEXT_LABEL = 'text';
/** Share of the budget the text detector gets; the recognizer has the rest. */
const DETECTOR_SHARE = 0.5;

export async function trainOcr(spec: WorkerSpec, io: TrainerIO): Promise<TrainOutcome> {
  const started = Date.now();
  const log = (message: string, level: 'info' | 'warn' = 'info') => io.emit({ type: 'log', level, message });
  const lines = spec.images.flatMap((img) => (img.boxes ?? []).map((box) => ({ img, box })));
  log(`OCR: ${spec.images.length} images, ${lines.length} text lines; stage 1 trains the text detector, stage 2 the recognizer`);

  // ---- stage 1: the text detector (its epochs are not the run's: only its progress and logs show).
  const detectorSpec: WorkerSpec = {
    ...spec,
    type: 'detection',
    runDir: join(spec.runDir, 'detector'),
    budgetMs: spec.budgetMs * DETECTOR_SHARE,
    labels: [TEXT_LABEL],
    images: spec.images.map((img) => ({ ...img, label: TEXT_LABEL, boxes: (img.boxes ?? []).map((b) => ({ ...b, label: TEXT_LABEL })) })),
    baseModel: null,
  };
  const detection = await trainDetector(detectorSpec, {
    ...io,
    emit: (e) => {
      if (e.type === 'log') io.emit({ ...e, message: `text detection: ${e.message}` });
      else if (e.type === 'progress') io.emit({ ...e, message: `Stage 1/2, text detection: ${e.message}` });
      else if (e.type === 'backend') io.emit(e);
    },
  });
  if (!detection.modelDir || !detection.metrics) {
    return { stopReason: detection.stopReason, modelDir: null, metrics: null, epochs: 0, params: { detector: detection.params }, inputSize: detection.inputSize, backbone: detection.backbone };
  }
  log(`text detector: mAP@0.5 ${detection.metrics['DetectionBoxes_Precision/mAP@.50IOU'].toFixed(3)} on the validation images (${detection.stopReason})`);

  // ---- stage 2: the recognizer on the labelled boxes (the detector's boxes are not needed to train it).
  const samples = (split: 'train' | 'val'): RecognizerSample[] => lines.filter((l) => l.img.split === split).map((l) => ({ image: l.img.path, box: l.box, text: l.box.label }));
  const deadline = started + spec.budgetMs;
  let epochs = 0;
  const recognition = await trainRecognizer({
    train: samples('train'),
    val: samples('val'),
    epochs: spec.limits?.maxEpochs ?? 200,
    patience: spec.limits?.patience ?? 8,
    seed: spec.seed,
    deadline,
    stopRequested: io.stopRequested,
    onPrepare: (done, total) => io.emit({ type: 'progress', phase: 'prepare', done, total, message: `Stage 2/2, recognizer: cutting text lines ${done}/${total}` }),
    onEpoch: (r) => {
      if (r.epoch > 0) epochs = r.epoch;
      const line = r.lineAccuracy ?? 0;
      io.emit({ type: 'epoch', record: { trial: null, epoch: r.epoch, loss: r.loss, valLoss: r.valLoss ?? 0, valAccuracy: line, learningRate: r.learningRate, imagesPerSec: r.samplesPerSec, elapsedMs: Date.now() - started } });
      io.emit({ type: 'progress', phase: 'train', done: r.epoch, total: null, message: `Stage 2/2, recognizer: epoch ${r.epoch} · CER ${r.cer === null ? '-' : `${(r.cer * 100).toFixed(1)} %`} · lines right ${(line * 100).toFixed(0)} %` });
    },
  });
  for (const s of recognition.skipped.slice(0, 5)) log(`recognizer left out ${s.split} line "${s.text}": ${s.reason}`, 'warn');
  log(`recognizer: CER ${((recognition.best.cer ?? 0) * 100).toFixed(1)} %, exact lines ${((recognition.best.lineAccuracy ?? 0) * 100).toFixed(1)} % (best epoch ${recognition.bestEpoch}, ${recognition.stopReason})`);

  // ---- one model folder: the detector, the recognizer beside it, OCR metadata.
  io.emit({ type: 'progress', phase: 'save', done: 0, total: null, message: 'Saving the model' });
  const modelDir = join(spec.runDir, 'model');
  const tmp = `${modelDir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await cp(detection.modelDir, tmp, { recursive: true });
  await mkdir(join(tmp, RECOGNIZER_DIR));
  await recognition.model.save(folderIO(join(tmp, RECOGNIZER_DIR)));
  recognition.model.dispose();
  const detectorMeta = JSON.parse(await readFile(join(tmp, METADATA_FILE), 'utf8')) as Record<string, unknown>;
  const size = detection.metrics.model_size + (await modelBytes(join(tmp, RECOGNIZER_DIR)));
  const metrics: OcrMetrics = {
    loss: recognition.best.valLoss ?? 0,
    model_size: size,
    cer: recognition.best.cer ?? 1,
    line_accuracy: recognition.best.lineAccuracy ?? 0,
    detection_map50: detection.metrics['DetectionBoxes_Precision/mAP@.50IOU'],
    samples: samples('val').length,
  };
  await writeFile(
    join(tmp, METADATA_FILE),
    JSON.stringify({ ...detectorMeta, type: 'ocr', algorithm: spec.algorithm, runId: spec.runId, metrics, ocr: { charset: recognition.charset.toJSON(), geometry: recognition.geometry, config: recognition.config } }, null, 2),
  );
  await rm(modelDir, { recursive: true, force: true });
  await rename(tmp, modelDir);
  const stopReason: StopReason = recognition.stopReason === 'completed' ? detection.stopReason : recognition.stopReason;
  return { stopReason, modelDir, metrics, epochs, params: { detector: detection.params, recognizer: recognition.config }, inputSize: detection.inputSize, backbone: detection.backbone };
}

export {
  averagePrecision,
  cocoIoU,
  evaluateDetections,
  vocIoU,
  type ClassDetectionResult,
  type Detection,
  type DetectionEvaluation,
  type DetectionOptions,
  type GroundTruthBox,
  type Interpolation,
} from './detection';
export { compareLabels, evaluateClassification, type ClassMetrics, type ClassificationEvaluation } from './classification';
export { editDistance, evaluateOcr, type OcrEvaluation } from './ocr';

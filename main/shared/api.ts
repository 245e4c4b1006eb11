// The one typed API into the core. Electron (preload + IPC), the browser mode (HTTP + WebSocket) and
// the CLI (in-process) all expose exactly this interface; the renderer cannot tell them apart.
// Everything here is plain JSON data so it crosses every transport unchanged.

export const INSTANCE_TYPES = ['classification', 'detection', 'ocr'] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

export interface Instance {
  id: number;
  name: string;
  type: InstanceType;
  description: string;
  createdAt: string;
  datasetCount: number;
}

export interface CreateInstanceInput {
  type: InstanceType;
  name: string;
  description?: string;
}

export interface PathIssue {
  /** Path relative to the dataset folder, with forward slashes. */
  path: string;
  reason: string;
}

export type WarningCode = 'non_ascii_label' | 'few_images_per_class' | 'few_boxes_per_class' | 'no_labels' | 'incomplete_images';

export interface DatasetWarning {
  code: WarningCode;
  message: string;
  label?: string;
}

export interface DatasetStats {
  /** Valid (indexable) images; invalid files are listed in `invalid` and not counted here. */
  images: number;
  labeled: number;
  unlabeled: number;
  /** Boxes over all images (detection / OCR); 0 for classification. */
  boxes: number;
  /** Classification: label → images. Detection/OCR: label (OCR: transcription) → boxes. */
  labels: Record<string, number>;
  invalid: PathIssue[];
  /** Annotation files that could not be read (their images stay indexed, unlabeled). */
  annotationErrors: PathIssue[];
  warnings: DatasetWarning[];
}

export interface Dataset {
  id: number;
  instanceId: number;
  instanceName: string;
  type: InstanceType;
  name: string;
  description: string;
  /** Absolute path of the indexed folder; images are never copied out of it. */
  path: string;
  createdAt: string;
  indexedAt: string | null;
  /** Detection/OCR: write VOC sidecars next to the images when an image is submitted. */
  writeBack: boolean;
  stats: DatasetStats;
}

export interface UpdateDatasetInput {
  id: number;
  description?: string;
  writeBack?: boolean;
}

export interface LabelInfo {
  name: string;
  /** Images with this label (classification) or with a box of it (detection/OCR). */
  images: number;
  boxes: number;
  /** Added in the label list (rather than only found in annotations). */
  declared: boolean;
}

export interface LabelChange {
  /** Images whose annotation changed. */
  affected: number;
  labels: LabelInfo[];
}

export interface CreateDatasetInput {
  instanceId: number;
  name: string;
  description?: string;
  path: string;
}

export interface AnnotationConflict {
  id: number;
  imageId: number;
  path: string;
  detectedAt: string;
  /** Which version the index now uses. */
  kept: 'disk' | 'studio';
  studio: Annotation;
  disk: Annotation;
}

export interface IndexReport {
  dataset: Dataset;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  files: { added: string[]; removed: string[]; changed: string[] };
  conflicts: AnnotationConflict[];
  durationMs: number;
}

export interface Box {
  /** Class name; for OCR the transcription. */
  label: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  difficult: boolean;
  truncated: boolean;
}

/** Annotation of one image, always in the displayed (EXIF-oriented) pixel frame. */
export interface Annotation {
  /** Classification label, or null. */
  label: string | null;
  boxes: Box[];
}

export type ImageStatus = 'labeled' | 'unlabeled' | 'invalid';
export type ImageFilter = 'all' | ImageStatus;
export type AnnotationSource = 'none' | 'folder' | 'xml' | 'studio';

export interface ImageSummary {
  id: number;
  datasetId: number;
  path: string;
  size: number;
  mtimeMs: number;
  format: string | null;
  /** Width and height as displayed, i.e. after applying the EXIF orientation. */
  width: number | null;
  height: number | null;
  /** EXIF orientation tag (1–8); 1 when absent. */
  orientation: number;
  status: ImageStatus;
  /** Why the image is invalid; null for usable images. */
  reason: string | null;
  /** Remarks on a usable image: an unreadable annotation file, a JPEG cut just short of its end. */
  notes: string[];
  label: string | null;
  boxCount: number;
  /** Submitted (reviewed) in the studio, or marked verified. */
  reviewed: boolean;
}

export interface ImageDetail extends ImageSummary {
  boxes: Box[];
  source: AnnotationSource;
  editedAt: string | null;
  /** Changes with every change of the annotation; pass it back to detect edits made elsewhere. */
  revision: number;
}

export interface ListImagesQuery {
  datasetId: number;
  filter?: ImageFilter;
  label?: string;
  offset?: number;
  limit?: number;
}

export interface ImagePage {
  total: number;
  offset: number;
  items: ImageSummary[];
}

export interface SaveAnnotationInput {
  imageId: number;
  annotation: Annotation;
  /** The revision this edit started from; if the image changed since (another window), the save is refused. */
  baseRevision?: number;
}

export interface SubmitImageInput {
  imageId: number;
  baseRevision?: number;
}

export const EXPORT_FORMATS = ['voc', 'voc-devkit', 'folders', 'coco', 'yolo', 'ppocr'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface FormatInfo {
  id: ExportFormat;
  title: string;
  description: string;
  types: InstanceType[];
}

export interface ExportInput {
  datasetId: number;
  format: ExportFormat;
  /** Output folder: created if missing; must be empty or absent, and outside the dataset folder. */
  outDir: string;
  /** Share of images in the train split (e.g. 0.9); the rest is val. Omit for no split. */
  split?: number;
  /** Seed of the reproducible split. */
  seed?: number;
  /** Hard-link images where the file system allows (falls back to copying), or always copy. */
  images?: 'link' | 'copy';
}

export interface ExportReport {
  format: ExportFormat;
  outDir: string;
  images: number;
  /** Files written (images and annotation files). */
  files: number;
  /** Labeled images only are exported; these unlabeled or invalid ones were left out. */
  skipped: number;
  durationMs: number;
}

export interface ImportInput {
  datasetId: number;
  format: ExportFormat;
  /** Folder (or, for COCO, the JSON file) to read. */
  from: string;
}

export interface ImportReport {
  format: ExportFormat;
  /** Images of the dataset whose annotation was replaced. */
  updated: number;
  /** Entries whose image is not in the dataset. */
  unmatched: string[];
  /** Records or files that could not be read. */
  problems: PathIssue[];
  durationMs: number;
}

// ---- training (seed 004 §4.2/§5.2: algorithms, max training time, early stop, incremental training)

/** High-speed (frozen backbone, cached features) or high-accuracy (fine-tuned upper blocks, augmentation). */
export const ALGORITHMS = ['fast', 'accurate'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
/**
 * auto: the Node host's best (CUDA, TensorFlow, WASM). gpu: CUDA via tfjs-node-gpu when usable, else the
 * browser host's WebGPU, then WebGL. cuda, webgpu, webgl: that one (falling back to the CPU when its
 * self-test fails). cpu: never a GPU.
 */
export const DEVICE_CHOICES = ['auto', 'gpu', 'cuda', 'webgpu', 'webgl', 'cpu'] as const;
export type DeviceChoice = (typeof DEVICE_CHOICES)[number];

/** A device training can use, as found on this machine. */
export interface DeviceInfo {
  id: Exclude<DeviceChoice, 'auto' | 'gpu'>;
  /** e.g. "GPU: 1 × NVIDIA GeForce RTX 4070 (CUDA via tfjs-node-gpu)", "CPU: 8 cores (WASM, 1 thread per run)". */
  label: string;
  usable: boolean;
  /** Why it cannot be used, or null. */
  note: string | null;
}
/** Max training time bounds in minutes, as the seed's "最大训练时长" field. */
export const MAX_MINUTES_RANGE = { min: 10, max: 60, default: 10 } as const;
export const STOP_REASONS = ['completed', 'early_stop', 'time_budget', 'user', 'failed'] as const;
export type StopReason = (typeof STOP_REASONS)[number];
export type RunStatus = 'running' | 'finished' | 'failed';

export interface TrainInput {
  datasetId: number;
  /** Task name (the seed's name rules); default "<dataset>-<n>". */
  name?: string;
  description?: string;
  algorithm: Algorithm;
  /** 10–60 minutes; default 10. */
  maxMinutes?: number;
  /** Labels to train on (at least two); default every label of the dataset. */
  labels?: string[];
  /** Incremental training: start from this model version's weights. */
  baseModelId?: number;
  /** A model-zoo id, a local tfjs layers model folder, or "none" to train a small network from scratch. */
  backbone?: string;
  device?: DeviceChoice;
  /** Seed of the validation split, shuffling and initialisation. */
  seed?: number;
  /** Hyperparameter search before the final training (default on). */
  hpo?: boolean;
}

export interface BackendReport {
  /** tfjs backend: tensorflow (tfjs-node[-gpu]), wasm or cpu. */
  name: string;
  device: 'gpu' | 'cpu';
  detail: string;
  /** Why faster candidates were not used. */
  skipped: string[];
}

export interface ClassMetricsReport {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Per-class precision–recall curves on one recall grid (interpolated precision, as VOC AP uses). */
export interface PrCurves {
  recall: number[];
  precision: Record<string, number[]>;
}

/** Validation metrics of a classification model (macro averages over the trained labels). */
export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  loss: number;
  /** Bytes of the saved model (model.json + weights). */
  model_size: number;
  samples: number;
  per_class: Record<string, ClassMetricsReport>;
  /** Rows: true label; columns: predicted; in `labels` order. */
  confusion_matrix: { labels: string[]; matrix: number[][] };
  /** One-vs-rest curves from the class probabilities (absent in models trained before they were recorded). */
  pr_curves?: PrCurves;
}

/** Validation metrics of a detector, named as seed 004 shows them (TF Object Detection API names). */
export interface DetectionMetrics {
  /** Total loss: classification + weighted localization. */
  loss: number;
  'Loss/classification_loss': number;
  'Loss/localization_loss': number;
  /** PASCAL VOC mAP at IoU 0.5 (devkit AP, difficult boxes ignored). */
  'DetectionBoxes_Precision/mAP@.50IOU': number;
  /** COCO mAP@[.5:.95]. */
  'DetectionBoxes_Precision/mAP': number;
  /** Bytes of the saved model (model.json + weights). */
  model_size: number;
  /** Validation images. */
  samples: number;
  per_class: Record<string, { ap: number | null; coco_ap: number | null; positives: number }>;
  pr_curves?: PrCurves;
}

/** Validation metrics of an OCR model (seed 004 shows loss and model_size; CER is what users judge it by). */
export interface OcrMetrics {
  /** The recognizer's mean CTC loss on the validation lines. */
  loss: number;
  /** Bytes of both models (text detector + recognizer). */
  model_size: number;
  /** Character error rate of the recognizer on the validation lines (edit distance / reference characters). */
  cer: number;
  /** Share of validation lines read exactly. */
  line_accuracy: number;
  /** The text detector's mAP@0.5 on the validation images. */
  detection_map50: number;
  /** Validation lines. */
  samples: number;
}

/** The metrics of any model version, by its type. */
export type ModelMetrics = ClassificationMetrics | DetectionMetrics | OcrMetrics;

export function isDetectionMetrics<T extends object>(m: T): m is Extract<T, { 'DetectionBoxes_Precision/mAP@.50IOU': number }> {
  return 'DetectionBoxes_Precision/mAP@.50IOU' in m;
}

export function isOcrMetrics<T extends object>(m: T): m is Extract<T, { cer: number }> {
  return 'cer' in m;
}

export function isClassificationMetrics<T extends object>(m: T): m is Extract<T, { accuracy: number }> {
  return 'accuracy' in m;
}

/** The one number a model is judged by: accuracy (classification) or mAP@0.5 (detection). */
export function headlineMetric(m: ModelMetrics | ModelEvaluation['metrics']): { name: string; value: number } {
  if (isDetectionMetrics(m)) return { name: 'mAP@0.5', value: m['DetectionBoxes_Precision/mAP@.50IOU'] };
  if (isOcrMetrics(m)) return { name: 'CER', value: m.cer };
  return { name: 'accuracy', value: m.accuracy };
}

export interface EpochRecord {
  /** HPO trial number, or null for the final training. */
  trial: number | null;
  /** 0 is the evaluation of the initial weights. */
  epoch: number;
  loss: number | null;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  imagesPerSec: number | null;
  elapsedMs: number;
}

export interface HpoTrial {
  index: number;
  params: Record<string, number | string>;
  status: 'running' | 'finished' | 'failed' | 'stopped';
  /** Best validation loss of the trial (lower is better). */
  metric: number | null;
  valAccuracy: number | null;
  epochs: number;
  durationMs: number;
}

export interface RunLogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface TrainingRun {
  id: number;
  instanceId: number;
  datasetId: number;
  name: string;
  description: string;
  type: InstanceType;
  algorithm: Algorithm;
  status: RunStatus;
  stopReason: StopReason | null;
  /** What was asked and what the engine resolved (backbone, learning rate, epochs...). */
  params: Record<string, unknown>;
  labels: string[];
  backend: BackendReport | null;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
  baseModelId: number | null;
  modelId: number | null;
  trainImages: number;
  valImages: number;
  /** Best validation metrics so far, then the final ones. */
  metrics: ModelMetrics | null;
  epochs: EpochRecord[];
  trials: HpoTrial[];
}

export interface ModelVersion {
  id: number;
  instanceId: number;
  runId: number;
  name: string;
  type: InstanceType;
  algorithm: Algorithm;
  labels: string[];
  backbone: string | null;
  inputSize: number;
  metrics: ModelMetrics;
  sizeBytes: number;
  createdAt: string;
  baseModelId: number | null;
  /** Saved from a run that failed or was cut short: the best checkpoint before it ended. */
  fromCheckpoint: boolean;
  dir: string;
}

export interface BackboneInfo {
  id: string;
  title: string;
  source: 'zoo' | 'imported';
  cached: boolean;
  url: string | null;
}

export interface PredictInput {
  modelId: number;
  /** Image files on this machine, or base64 image data (browser uploads). */
  images: Array<{ path: string } | { base64: string; name?: string }>;
}

/**
 * One item of an EAS result's body (seed 004). Classification: every class, highest confidence
 * first. Detection: a box, `pos` its corners TL, TR, BR, BL relative to width/height. OCR: `label`
 * is the text, `pos` the corners in image pixels.
 */
export interface EasItem {
  label: string;
  conf: number;
  pos?: Array<[number, number]>;
}

/** The `result` object of the EAS response (seed 004). */
export interface EasResult {
  output: Array<{ type: 'cv_common'; body: EasItem[] }>;
  meta: { height: number; width: number };
}

export interface Prediction {
  image: string;
  result: EasResult;
}

export interface EvaluateInput {
  modelId: number;
  /** Classification: a folder with one subfolder per label. Detection: a flat folder of images with VOC sidecars. */
  path: string;
}

export interface ModelEvaluation {
  modelId: number;
  path: string;
  metrics: (Omit<ClassificationMetrics, 'loss' | 'model_size'> & { loss: number }) | Pick<DetectionMetrics, 'DetectionBoxes_Precision/mAP@.50IOU' | 'DetectionBoxes_Precision/mAP' | 'samples' | 'per_class'>;
  /** Images of labels the model does not know, and unreadable files. */
  skipped: PathIssue[];
  durationMs: number;
}

export interface TrainReport {
  run: TrainingRun;
  model: ModelVersion | null;
}

// ---- serving and EAS export (seed 004 步骤五/六, seed 003: the EAS-compatible service and its package)

/** How exported weights are stored: 'auto' = uint8 when the validation metric drops by < 1 point, else float16. */
export const EAS_QUANTIZATIONS = ['auto', 'float32', 'float16', 'uint8'] as const;
export type EasQuantization = (typeof EAS_QUANTIZATIONS)[number];

export interface ExportEasInput {
  modelId: number;
  /** Output folder: created if missing; must be new or empty. */
  outDir: string;
  /** EAS service name (lowercase letters, digits, _; starts with a letter); default from the model's name. */
  serviceName?: string;
  quantization?: EasQuantization;
}

export interface EasQuantizationReport {
  /** How the exported weights are stored. */
  dtype: Exclude<EasQuantization, 'auto'>;
  /** model_size (model.json + weights, bytes) of the trained model and of the exported one. */
  modelSizeBefore: number;
  modelSizeAfter: number;
  /** The validation metric compared (accuracy for classification). */
  metric: string;
  /** Validation images it was measured on (0: none could be found). */
  validationImages: number;
  /** The metric with each weight format; null where not measured. */
  float32: number | null;
  float16: number | null;
  uint8: number | null;
  /** Exported minus float32 (negative: lost); null when not measured. */
  change: number | null;
  /** Largest change of any class confidence on the validation images, exported vs float32. */
  maxConfidenceChange: number | null;
  /** Why this format, in words. */
  reason: string;
}

export interface EasExportReport {
  modelId: number;
  outDir: string;
  serviceName: string;
  /** Files written, relative to outDir. */
  files: string[];
  quantization: EasQuantizationReport;
  /** Whether processor/package-lock.json could be generated (it needs the npm registry). */
  lockfile: boolean;
  warnings: string[];
  durationMs: number;
}

export interface StartServiceInput {
  modelId: number;
  /** Default 8000; 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: a random token. */
  token?: string;
  /** Service name in /api/predict/<name>; default from the model's name. */
  name?: string;
}

/** A local EAS-compatible prediction service. */
export interface ServiceInfo {
  name: string;
  modelId: number;
  /** http://host:port */
  url: string;
  /** url + /api/predict/<name>: POST here with the token in the Authorization header. */
  endpoint: string;
  token: string;
  host: string;
  port: number;
  startedAt: string;
}

// ---- model-assisted labeling (issue 8: pre-label with a model, accept / edit / reject, uncertainty order)

export interface PrelabelInput {
  datasetId: number;
  /** A model version of the dataset's instance (and so of its type). */
  modelId: number;
  /** Images to run the model on (of this dataset); default every unlabeled image. */
  imageIds?: number[];
  /** Detection/OCR: boxes below this confidence are not suggested (default 0.3). */
  minConfidence?: number;
}

export interface PrelabelReport {
  datasetId: number;
  modelId: number;
  /** Images the model ran on. */
  images: number;
  /** Images that now have a suggestion. */
  suggested: number;
  /** Boxes suggested over all images (detection/OCR; 0 for classification). */
  boxes: number;
  /** Images the model could not read. */
  skipped: PathIssue[];
  durationMs: number;
}

/** A suggested box: a Box (image pixels, displayed frame) with the model's confidence. */
export interface SuggestedBox extends Box {
  conf: number;
}

/** What a model suggests for one image, until it is accepted or rejected. */
export interface Suggestion {
  imageId: number;
  datasetId: number;
  /** The image as listed (status, label, size), at the time of reading. */
  image: ImageSummary;
  /** Null once the model version has been deleted. */
  modelId: number | null;
  modelName: string;
  createdAt: string;
  /**
   * 0 (sure) to 1 (unsure). Classification: 1 − (top confidence − second confidence), the margin
   * between the two likeliest classes. Detection/OCR: the mean over the model's candidate boxes
   * (conf ≥ 0.1) of 1 − |2·conf − 1|, i.e. how close each confidence is to a coin toss; 0 without any.
   */
  uncertainty: number;
  /** Classification: the likeliest label and its confidence; null for detection/OCR. */
  label: string | null;
  conf: number | null;
  /** Classification: every class, highest confidence first; empty for detection/OCR. */
  confidences: Array<{ label: string; conf: number }>;
  /** Detection/OCR: the suggested boxes, highest confidence first (OCR: label = text); empty for classification. */
  boxes: SuggestedBox[];
}

export interface SuggestionQuery {
  datasetId: number;
  /** Only these images (e.g. the page on screen). */
  imageIds?: number[];
  offset?: number;
  limit?: number;
}

/** Pending suggestions, most uncertain first (ties by path). Classification: only images still unlabeled. */
export interface SuggestionPage {
  total: number;
  offset: number;
  items: Suggestion[];
}

export interface AcceptSuggestionInput {
  imageId: number;
  /** Detection/OCR: indices into the suggestion's boxes to accept; default all of them. */
  boxes?: number[];
  /** As in saveAnnotation: refused if the image changed since this revision. Default: its current one. */
  baseRevision?: number;
  /** Also submit the image (marks it reviewed; writes its VOC sidecar when write-back is on). */
  submit?: boolean;
}

export interface AcceptedSuggestion {
  /** The image with its new annotation. */
  image: ImageDetail;
  /** What is left of the suggestion (boxes not accepted), or null. */
  suggestion: Suggestion | null;
}

export interface RejectSuggestionInput {
  imageId: number;
  /** Detection/OCR: indices of the boxes to drop; default the whole suggestion. */
  boxes?: number[];
}

export interface JobResults {
  index: IndexReport;
  export: ExportReport;
  import: ImportReport;
  train: TrainReport;
  evaluate: ModelEvaluation;
  backbone: BackboneInfo;
  'export-eas': EasExportReport;
  prelabel: PrelabelReport;
}
export type JobKind = keyof JobResults;
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number | null;
  message: string;
  /** Counts progress updates: orders snapshots of a job whose phases each count from 0. */
  seq: number;
}

interface JobBase {
  id: string;
  title: string;
  state: JobState;
  progress: JobProgress;
  startedAt: string;
  finishedAt: string | null;
  datasetId: number | null;
  error: ApiErrorInfo | null;
}

/** A job; `result` is set once it is done, typed by `kind` (narrow with `job.kind === 'index'`). */
export type JobInfo = { [K in JobKind]: JobBase & { kind: K; result: JobResults[K] | null } }[JobKind];

export interface WorkspaceInfo {
  path: string;
  schemaVersion: number;
  appVersion: string;
  /** Runs the app found interrupted when it opened this workspace (it had crashed or was killed mid-training). */
  recovered: Array<{ runId: number; name: string; instanceId: number; modelId: number | null }>;
}

export type StudioEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'instances-changed' }
  | { type: 'datasets-changed'; datasetId: number | null }
  | { type: 'annotation-changed'; imageId: number; datasetId: number }
  | { type: 'run-changed'; runId: number; instanceId: number }
  | { type: 'models-changed'; instanceId: number }
  /** Suggestions of these images changed (accepted, rejected); imageIds null: the whole set (a pre-label run, a clear). */
  | { type: 'suggestions-changed'; datasetId: number; imageIds: number[] | null };

export const ERROR_CODES = ['invalid_input', 'not_found', 'conflict', 'io_error', 'cancelled', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorInfo {
  code: ErrorCode;
  message: string;
  /** The input field at fault, where one is. */
  field?: string;
}

/** The error every transport rethrows on the calling side. */
export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.field = field;
  }
  toJSON(): ApiErrorInfo {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
  static from(info: ApiErrorInfo): StudioError {
    return new StudioError(info.code, info.message, info.field);
  }
  /** Any thrown value as a StudioError; what is not one already becomes 'internal'. */
  static wrap(err: unknown): StudioError {
    if (err instanceof StudioError) return err;
    return new StudioError('internal', err instanceof Error ? err.message : String(err));
  }
}

/** Every method of the core, callable over any transport. */
export interface StudioApi {
  workspaceInfo(): Promise<WorkspaceInfo>;

  listInstances(): Promise<Instance[]>;
  createInstance(input: CreateInstanceInput): Promise<Instance>;
  /** The devices training can use here (GPU model and count, CPU cores), found without loading TensorFlow.js. */
  listDevices(): Promise<DeviceInfo[]>;
  /**
   * Creates an instance with demo data (seed 004 从模板创建): coloured shapes (classification,
   * detection) or bank cards (OCR) written into the workspace's templates folder, then indexed.
   */
  createFromTemplate(input: CreateInstanceInput): Promise<{ instance: Instance; dataset: Dataset; job: JobInfo }>;
  /** Deletes the instance and its datasets' index; never touches image folders. */
  deleteInstance(id: number): Promise<void>;

  listDatasets(instanceId?: number): Promise<Dataset[]>;
  getDataset(id: number): Promise<Dataset>;
  /** Creates the dataset and starts indexing its folder; follow the returned job. */
  createDataset(input: CreateDatasetInput): Promise<{ dataset: Dataset; job: JobInfo }>;
  reindexDataset(id: number): Promise<JobInfo>;
  deleteDataset(id: number): Promise<void>;
  updateDataset(input: UpdateDatasetInput): Promise<Dataset>;

  listLabels(datasetId: number): Promise<LabelInfo[]>;
  addLabel(input: { datasetId: number; name: string }): Promise<LabelInfo[]>;
  /** Renames (or merges into an existing label) in every annotation of the dataset. */
  renameLabel(input: { datasetId: number; from: string; to: string }): Promise<LabelChange>;
  /** Removes the label: classification images become unlabeled, boxes of it are deleted. */
  deleteLabel(input: { datasetId: number; name: string }): Promise<LabelChange>;

  listImages(query: ListImagesQuery): Promise<ImagePage>;
  getImage(id: number): Promise<ImageDetail>;
  saveAnnotation(input: SaveAnnotationInput): Promise<ImageDetail>;
  /** Marks the image reviewed ("submit"); with write-back on, writes its VOC sidecar. */
  submitImage(input: SubmitImageInput): Promise<ImageDetail>;
  listConflicts(datasetId: number): Promise<AnnotationConflict[]>;

  listFormats(): Promise<FormatInfo[]>;
  /** Writes the dataset's labeled images in another tool's format; follow the returned job. */
  exportDataset(input: ExportInput): Promise<JobInfo>;
  /** Merges annotations from another tool's files into the dataset, matching images by file name. */
  importAnnotations(input: ImportInput): Promise<JobInfo>;

  /** Starts a training task in its own process; follow the returned job (and run-changed events). */
  startTraining(input: TrainInput): Promise<{ run: TrainingRun; job: JobInfo }>;
  listRuns(instanceId?: number): Promise<TrainingRun[]>;
  getRun(id: number): Promise<TrainingRun>;
  /** Log lines of a run, from line `after` on (for following). */
  runLogs(input: { runId: number; after?: number }): Promise<RunLogLine[]>;
  /** Stops a running task; it keeps the model of its best epoch so far. */
  stopRun(id: number): Promise<TrainingRun>;
  listModels(instanceId?: number): Promise<ModelVersion[]>;
  getModel(id: number): Promise<ModelVersion>;
  deleteModel(id: number): Promise<void>;
  predict(input: PredictInput): Promise<Prediction[]>;
  /** Scores a model on a labeled folder; follow the returned job. */
  evaluateModel(input: EvaluateInput): Promise<JobInfo>;
  listBackbones(): Promise<BackboneInfo[]>;
  /** Downloads a zoo backbone (or imports a local tfjs layers folder) into the workspace; follow the job. */
  fetchBackbone(ref: string): Promise<JobInfo>;

  /** Writes the EAS deployment package of a model (model, processor, Dockerfile, service.json, README); follow the job. */
  exportEas(input: ExportEasInput): Promise<JobInfo>;
  /** Starts a local EAS-compatible prediction service for a model. */
  startService(input: StartServiceInput): Promise<ServiceInfo>;
  /** Stops a service by name, finishing the requests in flight. */
  stopService(name: string): Promise<void>;
  listServices(): Promise<ServiceInfo[]>;

  /** Runs a model version over the dataset's unlabeled (or chosen) images and stores its suggestions; follow the job. */
  prelabel(input: PrelabelInput): Promise<JobInfo>;
  /** Pending suggestions, most uncertain first. */
  listSuggestions(query: SuggestionQuery): Promise<SuggestionPage>;
  /** Writes the suggestion (or some of its boxes) as the image's annotation, through saveAnnotation. */
  acceptSuggestion(input: AcceptSuggestionInput): Promise<AcceptedSuggestion>;
  /** Drops the suggestion (or some of its boxes); returns what is left. */
  rejectSuggestion(input: RejectSuggestionInput): Promise<Suggestion | null>;
  /** Drops every suggestion of the dataset; returns how many images had one. */
  clearSuggestions(datasetId: number): Promise<number>;

  listJobs(): Promise<JobInfo[]>;
  getJob(id: string): Promise<JobInfo>;
  /** Resolves when the job has finished (done, failed or cancelled). */
  waitJob(id: string): Promise<JobInfo>;
  cancelJob(id: string): Promise<JobInfo>;
}

export type ApiMethod = keyof StudioApi;

/** The method names the transports may forward; anything else is refused. */
export const API_METHODS = [
  'workspaceInfo',
  'listInstances',
  'createInstance',
  'listDevices',
  'createFromTemplate',
  'deleteInstance',
  'listDatasets',
  'getDataset',
  'createDataset',
  'reindexDataset',
  'deleteDataset',
  'updateDataset',
  'listLabels',
  'addLabel',
  'renameLabel',
  'deleteLabel',
  'listImages',
  'getImage',
  'saveAnnotation',
  'submitImage',
  'listConflicts',
  'listFormats',
  'exportDataset',
  'importAnnotations',
  'startTraining',
  'listRuns',
  'getRun',
  'runLogs',
  'stopRun',
  'listModels',
  'getModel',
  'deleteModel',
  'predict',
  'evaluateModel',
  'listBackbones',
  'fetchBackbone',
  'exportEas',
  'startService',
  'stopService',
  'listServices',
  'prelabel',
  'listSuggestions',
  'acceptSuggestion',
  'rejectSuggestion',
  'clearSuggestions',
  'listJobs',
  'getJob',
  'waitJob',
  'cancelJob',
] as const satisfies readonly ApiMethod[];

// Compile-time check that API_METHODS lists every method of StudioApi.
type MissingMethods = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const allMethodsListed: MissingMethods extends never ? true : MissingMethods = true;
void allMethodsListed;

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

export type MediaKind = 'thumb' | 'image';

/** What the renderer gets: the API plus the transport's event stream and image URLs. */
export interface StudioClient extends StudioApi {
  subscribe(listener: (event: StudioEvent) => void): () => void;
  mediaUrl(kind: MediaKind, imageId: number): string;
  /** Native folder picker where the transport has one (Electron); null in the browser. */
  pickFolder: (() => Promise<string | null>) | null;
}

/** The result of a finished job of the expected kind; throws if it is another kind or did not finish. */
export function resultOf<K extends JobKind>(job: JobInfo, kind: K): JobResults[K] {
  if (job.kind !== kind) throw new StudioError('internal', `job ${job.id} is a ${job.kind} job, not ${kind}`);
  if (job.state !== 'done' || job.result === null) {
    throw new StudioError(job.error?.code ?? 'internal', job.error?.message ?? `${job.title}: ${job.state}`);
  }
  return job.result as JobResults[K];
}

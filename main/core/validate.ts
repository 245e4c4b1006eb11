import { z } from 'zod';
import { ALGORITHMS, DEVICE_CHOICES, EXPORT_FORMATS, INSTANCE_TYPES, MAX_MINUTES_RANGE, StudioError } from '../shared/api';
import { nameProblem } from '../shared/names';

const name = z.string().superRefine((v, ctx) => {
  const problem = nameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const id = z.number().int().positive();
const description = z.string().max(1000).optional().default('');

const box = z
  .object({
    label: z.string().min(1).max(1000),
    xmin: z.number().finite(),
    ymin: z.number().finite(),
    xmax: z.number().finite(),
    ymax: z.number().finite(),
    difficult: z.boolean().default(false),
    truncated: z.boolean().default(false),
  })
  .refine((b) => b.xmax > b.xmin && b.ymax > b.ymin, { message: 'box must have xmax > xmin and ymax > ymin' });

const labelName = z
  .string()
  .min(1, 'label is empty')
  .max(200)
  .refine((s) => s.trim() === s, 'label must not start or end with spaces');

const { min: minMinutes, max: maxMinutes } = MAX_MINUTES_RANGE;

export const schemas = {
  train: z.object({
    datasetId: id,
    name: name.optional(),
    description,
    algorithm: z.enum(ALGORITHMS, { message: `algorithm must be one of ${ALGORITHMS.join(', ')} (high-speed, high-accuracy)` }),
    maxMinutes: z
      .number({ message: 'max training time must be a number of minutes' })
      .min(minMinutes, `max training time must be between ${minMinutes} and ${maxMinutes} minutes`)
      .max(maxMinutes, `max training time must be between ${minMinutes} and ${maxMinutes} minutes`)
      .optional(),
    labels: z
      .array(labelName)
      .min(1, 'choose at least one label')
      .refine((l) => new Set(l).size === l.length, 'labels must not repeat')
      .optional(),
    baseModelId: id.optional(),
    backbone: z.string().min(1).optional(),
    device: z.enum(DEVICE_CHOICES, { message: `device must be one of ${DEVICE_CHOICES.join(', ')}` }).optional(),
    seed: z.number().int().min(0).optional(),
    hpo: z.boolean().default(true),
  }),
  runLogs: z.object({ runId: id, after: z.number().int().min(0).default(0) }),
  predict: z.object({
    modelId: id,
    images: z
      .array(z.union([z.object({ path: z.string().min(1) }), z.object({ base64: z.string().min(1), name: z.string().optional() })]))
      .min(1, 'give at least one image')
      .max(1000),
  }),
  evaluateModel: z.object({ modelId: id, path: z.string().min(1, 'folder path is required') }),
  backboneRef: z.string().min(1, 'backbone id or folder is required'),
  updateDataset: z.object({ id, description: z.string().max(1000).optional(), writeBack: z.boolean().optional() }),
  prelabel: z.object({
    datasetId: id,
    modelId: id,
    imageIds: z.array(id).min(1, 'choose at least one image').max(100_000).optional(),
    minConfidence: z.number().min(0, 'minimum confidence must be between 0 and 1').max(1, 'minimum confidence must be between 0 and 1').optional(),
  }),
  listSuggestions: z.object({
    datasetId: id,
    imageIds: z.array(id).max(5000).optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(5000).default(200),
  }),
  acceptSuggestion: z.object({
    imageId: id,
    boxes: z.array(z.number().int().min(0)).optional(),
    baseRevision: z.number().int().min(0).optional(),
    submit: z.boolean().default(false),
  }),
  rejectSuggestion: z.object({ imageId: id, boxes: z.array(z.number().int().min(0)).optional() }),
  addLabel: z.object({ datasetId: id, name: labelName }),
  renameLabel: z.object({ datasetId: id, from: z.string().min(1), to: labelName }),
  deleteLabel: z.object({ datasetId: id, name: z.string().min(1) }),
  submitImage: z.object({ imageId: id, baseRevision: z.number().int().min(0).optional() }),
  id,
  jobId: z.string().min(1),
  createInstance: z.object({ type: z.enum(INSTANCE_TYPES), name, description }),
  createDataset: z.object({ instanceId: id, name, description, path: z.string().min(1, 'folder path is required') }),
  listImages: z.object({
    datasetId: id,
    filter: z.enum(['all', 'labeled', 'unlabeled', 'invalid']).default('all'),
    label: z.string().optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(5000).default(200),
  }),
  exportDataset: z.object({
    datasetId: id,
    format: z.enum(EXPORT_FORMATS),
    outDir: z.string().min(1, 'output folder is required'),
    split: z.number().gt(0).lt(1).optional(),
    seed: z.number().int().min(0).optional(),
    images: z.enum(['link', 'copy']).optional(),
  }),
  importAnnotations: z.object({ datasetId: id, format: z.enum(EXPORT_FORMATS), from: z.string().min(1, 'source folder or file is required') }),
  saveAnnotation: z.object({
    imageId: id,
    baseRevision: z.number().int().min(0).optional(),
    annotation: z.object({ label: z.string().min(1).max(200).nullable(), boxes: z.array(box).max(10000) }),
  }),
};

/** Validates API input; failures become StudioError('invalid_input') naming the field. */
export function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || what;
  throw new StudioError('invalid_input', `${what}: ${field === what ? '' : `${field} `}${issue.message}`, field);
}

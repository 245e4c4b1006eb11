import { z } from 'zod';
import { EXPORT_FORMATS, INSTANCE_TYPES, StudioError } from '../shared/api';
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

export const schemas = {
  updateDataset: z.object({ id, description: z.string().max(1000).optional(), writeBack: z.boolean().optional() }),
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

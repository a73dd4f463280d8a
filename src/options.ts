/**
 * The options of a run: one zod schema with every default, so the CLI, the library and the
 * report all read the same values. Rules that need the data (an alpha list's length is C)
 * are checked by the plan.
 */
import * as z from 'zod';
import { ALPHA_SCHEMES } from './alphas.ts';
import { SavedAlphasSchema } from './alphaFile.ts';
import { UsageError } from './errors.ts';

export { ALPHA_SCHEMES, type AlphaScheme } from './alphas.ts';

const finite = () => z.number().refine(Number.isFinite, { error: 'must be a finite number' });

/** The options schema: library spelling; the CLI's flags are the kebab-case of these names. */
export const OptionsSchema = z.strictObject({
  mode: z.enum(['binary', 'multiclass', 'multilabel']).optional(),
  input: z.enum(['probs', 'logits']).optional(),
  label: z.string().min(1).default('label'),
  pred: z.string().min(1).optional(),
  classNames: z.array(z.string()).min(1).optional(),
  gamma: finite().pipe(z.number().min(0)).default(2),
  alpha: z
    .union([
      z.null(),
      z.literal('auto'),
      finite().pipe(z.number().min(0).max(1)),
      z.array(finite().pipe(z.number().min(0))).min(1),
    ])
    .default(null),
  alphaScheme: z.enum(ALPHA_SCHEMES).default('inverse'),
  /** Estimates saved by an earlier run (`focal-eval alphas --out`): with alpha "auto", applied instead of this run's. */
  alphaEstimates: SavedAlphasSchema.optional(),
  beta: finite().pipe(z.number().min(0).lt(1)).default(0.999),
  epsilon: finite().pipe(z.number().min(0).lt(0.5)).default(1e-7),
  easyThreshold: finite().pipe(z.number().gt(0).max(1)).default(0.5),
  ignoreIndex: z.number().int().default(-100),
  histogramBins: z.number().int().min(1).max(10000).default(20),
  onInvalid: z.enum(['error', 'skip']).default('error'),
  threads: z.number().int().min(1).optional(),
  /** How a file path is read: by its first bytes (auto), or as Arrow IPC / Parquet. */
  inputFormat: z.enum(['auto', 'arrow', 'parquet']).default('auto'),
});

/** Options as a caller writes them (every field optional). */
export type OptionsInput = z.input<typeof OptionsSchema>;
/** Options with defaults filled in. */
export type Options = z.output<typeof OptionsSchema>;

/** Validates options, filling defaults; a bad one is a UsageError naming it. */
export function parseOptions(raw: unknown): Options {
  const result = OptionsSchema.safeParse(raw ?? {});
  if (result.success) {
    if (result.data.alphaEstimates !== undefined && result.data.alpha !== 'auto') {
      throw new UsageError('option alphaEstimates: saved estimates apply only with alpha "auto"', 'alphaEstimates');
    }
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const option = issue.path.length > 0 ? String(issue.path[0]) : keys[0];
  const where = issue.path.length > 0 ? `option ${issue.path.join('.')}` : `option ${keys.join(', ')}`;
  throw new UsageError(`${where}: ${issue.message}`, option);
}

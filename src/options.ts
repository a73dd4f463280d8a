/**
 * The options of a run: one zod schema with every default, so the CLI, the library and the
 * report all read the same values. Rules that need the data (an alpha list's length is C)
 * are checked by the plan.
 */
import * as z from './zod.ts';
import { INPUTS, MODES } from './kernel/types.ts';
import { ALPHA_SCHEMES } from './alpha/estimates.ts';
import { SavedAlphasSchema } from './alpha/saved.ts';
import { UsageError } from './errors.ts';

export { ALPHA_SCHEMES, type AlphaScheme } from './alpha/estimates.ts';

const finite = () => z.number().check(z.refine(Number.isFinite, { error: 'must be a finite number' }));
/** A finite number that also passes `checks` (zod's bounds: z.gte(0), z.lt(1), ...). */
const bounded = (...checks: Parameters<ReturnType<typeof z.number>['check']>) => z.pipe(finite(), z.number().check(...checks));

/** The options schema: library spelling; the CLI's flags are the kebab-case of these names. */
export const OptionsSchema = z.strictObject({
  mode: z.optional(z.enum(MODES)),
  input: z.optional(z.enum(INPUTS)),
  label: z._default(z.string().check(z.minLength(1)), 'label'),
  pred: z.optional(z.string().check(z.minLength(1))),
  classNames: z.optional(z.array(z.string()).check(z.minLength(1))),
  gamma: z._default(bounded(z.gte(0)), 2),
  alpha: z._default(
    z.union([z.null(), z.literal('auto'), bounded(z.gte(0), z.lte(1)), z.array(bounded(z.gte(0))).check(z.minLength(1))]),
    null,
  ),
  alphaScheme: z._default(z.enum(ALPHA_SCHEMES), 'inverse'),
  /** Estimates saved by an earlier run (`focal-eval alphas --out`): with alpha "auto", applied instead of this run's. */
  alphaEstimates: z.optional(SavedAlphasSchema),
  beta: z._default(bounded(z.gte(0), z.lt(1)), 0.999),
  epsilon: z._default(bounded(z.gte(0), z.lt(0.5)), 1e-7),
  easyThreshold: z._default(bounded(z.gt(0), z.lte(1)), 0.5),
  ignoreIndex: z._default(z.int(), -100),
  histogramBins: z._default(z.int().check(z.gte(1), z.lte(10000)), 20),
  onInvalid: z._default(z.enum(['error', 'skip']), 'error'),
  /** Expected calibration error and reliability bins in the report (report/calibration.ts). */
  calibration: z._default(z.boolean(), false),
  /** Equal-width bins over [0, 1] of the calibration error. */
  calibrationBins: z._default(z.int().check(z.gte(1), z.lte(10000)), 15),
  /** The K hardest units in the report's `hardest` (0: none). */
  top: z._default(z.int().check(z.gte(0), z.lte(100_000)), 0),
  threads: z.optional(z.int().check(z.gte(1))),
  /** How a file path is read: by its first bytes (auto), or as Arrow IPC / Parquet. */
  inputFormat: z._default(z.enum(['auto', 'arrow', 'parquet']), 'auto'),
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

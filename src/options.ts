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
import { totalmem } from 'node:os';
import { FLSD_53, type SweepGamma } from './kernel/sweep.ts';

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
  /**
   * A gamma sweep (the library takes it as `gamma: [g0, g1, ...]`): every entry's sums in the same
   * pass; the first number is `gamma`, the main one. Set by parseOptions from a gamma list.
   */
  gammas: z.optional(z.array(z.union([bounded(z.gte(0)), z.literal(FLSD_53)])).check(z.minLength(1))),
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
  /** Fine p_t bins of the loss concentration (report/concentration.ts); 0 leaves it out. */
  concentrationBins: z._default(z.int().check(z.gte(0), z.lte(65536)), 0),
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
  /** Seconds one batch may take on a worker before the run stops (the watchdog); 0 turns it off. */
  taskTimeout: z._default(bounded(z.gte(0)), 120),
  /** Bytes one batch (metadata and body, as the input declares them) may hold; larger is refused. Default: maxBatchBytesOf. */
  maxBatchBytes: z.optional(z.int().check(z.gte(1))),
});

/**
 * The batch-size bound of a run: the option, else 2 GiB or a quarter of the machine's memory,
 * whichever is less (a few batches per thread are in flight, so the default stays well under it).
 */
export function maxBatchBytesOf(opts: Pick<Options, 'maxBatchBytes'>): number {
  return opts.maxBatchBytes ?? Math.min(2 ** 31, Math.floor(totalmem() / 4));
}

/** Options as a caller writes them (every field optional); `gamma` may be a list (a sweep). */
export type OptionsInput = Omit<z.input<typeof OptionsSchema>, 'gamma' | 'gammas'> & { gamma?: number | SweepGamma[] };
/** Options with defaults filled in. */
export type Options = z.output<typeof OptionsSchema>;

/** Validates options, filling defaults; a bad one is a UsageError naming it. */
export function parseOptions(raw: unknown): Options {
  const result = OptionsSchema.safeParse(withSweep(raw ?? {}));
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

/**
 * A gamma list as the schema takes it: `gammas` the list, `gamma` its first number (a list with
 * no number is refused). A partial file's options (gammas already set) pass as they are.
 */
function withSweep(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { gamma?: unknown }).gamma)) return raw;
  const list = (raw as { gamma: unknown[] }).gamma;
  if ('gammas' in raw) throw new UsageError('option gammas: give the sweep as a gamma list', 'gammas');
  const first = list.find((g) => typeof g === 'number');
  if (first === undefined) throw new UsageError(`option gamma: the list ${JSON.stringify(list)} has no number for the main gamma`, 'gamma');
  return list.length > 1 ? { ...raw, gamma: first, gammas: list } : { ...raw, gamma: first };
}

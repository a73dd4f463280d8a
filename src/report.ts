/**
 * The report of a run (spec §4) as a zod schema: the type everything returns, the check a
 * finished report passes before it leaves the library, and the source of the JSON Schema
 * shipped in the package (schema/report.schema.json, written by `npm run schema`).
 */
import * as z from 'zod';
import { ALPHA_SCHEMES } from './options.ts';

const count = z.number().int().min(0);
const sum = z.number().refine(Number.isFinite, { error: 'must be finite' });
const share = z.number().min(0).max(1).nullable();

/** Sums over the easy or the hard units of a set. */
export const SplitSchema = z.strictObject({ count, sumCE: sum, sumFL: sum, sumLoss: sum });

/** A Stats block: sums, means, the easy/hard split and the p_t histogram over a set of units. */
export const StatsSchema = z.strictObject({
  count,
  sumCE: sum,
  sumFL: sum,
  sumLoss: sum,
  meanCE: sum.nullable(),
  meanLoss: sum.nullable(),
  meanPt: z.number().min(0).max(1).nullable(),
  easy: SplitSchema,
  hard: SplitSchema,
  easyShareCE: share,
  easyShareFL: share,
  histogram: z.array(count),
});

/** One class's block: its Stats, and in multilabel its positive and negative units apart. */
export const ClassStatsSchema = StatsSchema.extend({
  index: count,
  name: z.string(),
  alpha: z.number().min(0).nullable(),
  positive: StatsSchema.optional(),
  negative: StatsSchema.optional(),
});

const estimates = z.array(z.number().min(0).nullable());

/** Class counts and every scheme's alpha estimates. */
export const AlphaEstimatesSchema = z.strictObject({
  counts: z.array(count),
  negatives: z.array(count).optional(),
  ...Object.fromEntries(ALPHA_SCHEMES.map((s) => [s, estimates])),
} as { counts: z.ZodArray<typeof count>; negatives: z.ZodOptional<z.ZodArray<typeof count>> } & Record<
  (typeof ALPHA_SCHEMES)[number],
  typeof estimates
>);

/** The report: what `evaluate` resolves to and `score --format json` prints. */
export const ReportSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    mode: z.enum(['binary', 'multiclass', 'multilabel']),
    input: z.enum(['probs', 'logits']),
    options: z.strictObject({
      gamma: z.number(),
      alpha: z.union([z.null(), z.literal('auto'), z.number(), z.array(z.number())]),
      alphaScheme: z.enum(ALPHA_SCHEMES),
      beta: z.number(),
      epsilon: z.number(),
      easyThreshold: z.number(),
      ignoreIndex: z.number().int(),
      histogramBins: z.number().int(),
      onInvalid: z.enum(['error', 'skip']),
    }),
    rows: count,
    scored: count,
    ignored: count,
    invalid: count,
    total: StatsSchema,
    classes: z.array(ClassStatsSchema),
    alphaEstimates: AlphaEstimatesSchema,
  })
  .meta({ title: 'focal-eval report', description: 'Focal-loss report over a prediction dump (schemaVersion 1).' });

/** A Stats block. */
export type Stats = z.infer<typeof StatsSchema>;
/** A class block. */
export type ClassStats = z.infer<typeof ClassStatsSchema>;
/** The report. */
export type Report = z.infer<typeof ReportSchema>;

/**
 * The report of a run (spec §4) as a zod schema: the type everything returns, the check a
 * finished report passes before it leaves the library, and the source of the JSON Schema
 * shipped in the package (schema/report.schema.json, written by `npm run schema`).
 */
import * as z from '../zod.ts';
import { INPUTS, MODES } from '../kernel/types.ts';
import { ALPHA_SCHEMES } from '../options.ts';
import { CalibrationSchema } from './calibration.ts';
import { HardUnitSchema } from './hardest.ts';

const count = z.int().check(z.gte(0));
const sum = z.number().check(z.refine(Number.isFinite, { error: 'must be finite' }));
const unit = z.number().check(z.gte(0), z.lte(1));
const share = z.nullable(unit);

/** Sums over the easy or the hard units of a set. */
export const SplitSchema = z.strictObject({ count, sumCE: sum, sumFL: sum, sumLoss: sum });

/** A Stats block: sums, means, the easy/hard split and the p_t histogram over a set of units. */
export const StatsSchema = z.strictObject({
  count,
  sumCE: sum,
  sumFL: sum,
  sumLoss: sum,
  meanCE: z.nullable(sum),
  meanLoss: z.nullable(sum),
  meanPt: z.nullable(unit),
  easy: SplitSchema,
  hard: SplitSchema,
  easyShareCE: share,
  easyShareFL: share,
  histogram: z.array(count),
});

/** One class's block: its Stats, and in multilabel its positive and negative units apart. */
export const ClassStatsSchema = z.extend(StatsSchema, {
  index: count,
  name: z.string(),
  alpha: z.nullable(z.number().check(z.gte(0))),
  positive: z.optional(StatsSchema),
  negative: z.optional(StatsSchema),
});

const estimates = z.array(z.nullable(z.number().check(z.gte(0))));

const weightList = z.array(z.nullable(z.number().check(z.gte(0))));

/** One alpha scheme in RetinaNet's weight-on-positives form and as a per-class vector (alpha/conventions.ts). */
export const AlphaConventionSchema = z.strictObject({ weightOnPositives: weightList, perClass: weightList });

/** Class counts and every scheme's alpha estimates. */
const AlphaEstimatesBase = z.strictObject({
  counts: z.array(count),
  negatives: z.optional(z.array(count)),
  ...Object.fromEntries(ALPHA_SCHEMES.map((s) => [s, estimates])),
} as { counts: z.ZodMiniArray<typeof count>; negatives: z.ZodMiniOptional<z.ZodMiniArray<typeof count>> } & Record<
  (typeof ALPHA_SCHEMES)[number],
  typeof estimates
>);

/** The estimates, and every scheme in both conventions and the effective-number betas (alpha/conventions.ts). */
export const AlphaEstimatesSchema = z.extend(AlphaEstimatesBase, {
  conventions: z.optional(
    z.strictObject(
      Object.fromEntries(ALPHA_SCHEMES.map((s) => [s, AlphaConventionSchema])) as Record<(typeof ALPHA_SCHEMES)[number], typeof AlphaConventionSchema>,
    ),
  ),
  effectiveBeta: z.optional(z.array(z.strictObject({ beta: z.number(), ratio: z.nullable(z.number()), weights: weightList }))),
});

const nullableSum = z.nullable(sum);

/** The loss under the normalisations of training code (report/normalisation.ts). */
export const NormalisationSchema = z.strictObject({
  perUnit: nullableSum,
  perRow: nullableSum,
  perPositive: nullableSum,
  alphaWeightedMean: nullableSum,
});

/** Sums at one gamma of the sweep (sumLoss alpha-weighted, as everywhere). */
const SweepSumsSchema = z.strictObject({ sumFL: sum, sumLoss: sum, easyShareFL: share });

/** One entry of the gamma sweep: totals and per class (report/sweep.ts). */
export const SweepEntrySchema = z.strictObject({
  gamma: z.union([z.number(), z.literal('FLSD-53')]),
  total: z.extend(SweepSumsSchema, { meanLoss: z.nullable(sum) }),
  classes: z.array(z.extend(SweepSumsSchema, { index: count })),
});

const shares = z.array(unit);

/** The loss concentration (report/concentration.ts). */
export const ConcentrationSchema = z.strictObject({
  fractions: shares,
  bins: count,
  maxError: unit,
  total: z.strictObject({ ce: shares, fl: shares }),
  classes: z.array(z.strictObject({ index: count, ce: shares, fl: shares })),
  curve: z.strictObject({ x: shares, ce: shares, fl: shares }),
});

/** One set of units' numerical-health counts (report/health.ts). */
const HealthCountsSchema = z.strictObject({
  clampedUnits: count,
  cappedCE: count,
  saturatedLogits: count,
  clampedCE: sum,
  clampedShareCE: share,
});

/** The numerical health: clamped probabilities, CE at its cap, saturated logits (report/health.ts). */
export const HealthSchema = z.strictObject({
  capCE: z.nullable(sum),
  total: HealthCountsSchema,
  classes: z.array(z.extend(HealthCountsSchema, { index: count })),
});

/** The report: what `evaluate` resolves to and `score --format json` prints. */
export const ReportSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    mode: z.enum(MODES),
    input: z.enum(INPUTS),
    options: z.strictObject({
      gamma: z.number(),
      gammas: z.optional(z.array(z.union([z.number(), z.literal('FLSD-53')]))),
      alpha: z.union([z.null(), z.literal('auto'), z.number(), z.array(z.number())]),
      alphaScheme: z.enum(ALPHA_SCHEMES),
      beta: z.number(),
      epsilon: z.number(),
      easyThreshold: z.number(),
      ignoreIndex: z.int(),
      histogramBins: z.int(),
      concentrationBins: z.optional(z.int()),
      onInvalid: z.enum(['error', 'skip']),
    }),
    rows: count,
    scored: count,
    ignored: count,
    invalid: count,
    total: StatsSchema,
    classes: z.array(ClassStatsSchema),
    alphaEstimates: AlphaEstimatesSchema,
    /** With a gamma list: one entry per options.gammas value, in order. */
    sweep: z.optional(z.array(SweepEntrySchema)),
    /** With concentrationBins > 0: the share of the loss on the hardest units. */
    concentration: z.optional(ConcentrationSchema),
    normalisation: NormalisationSchema,
    /** Units whose numbers were bounded: clamped at epsilon, CE at the cap, saturated logits. */
    health: HealthSchema,
    /** Configurations that are legal but probably not what was meant (report/warnings.ts). */
    warnings: z.array(z.string()),
    /** With options.calibration: ECE and reliability bins (report/calibration.ts). */
    calibration: z.optional(CalibrationSchema),
    /** With options.top: the K hardest units (report/hardest.ts). */
    hardest: z.optional(z.array(HardUnitSchema)),
  })
  .register(z.globalRegistry, {
    title: 'focal-eval report',
    description: 'Focal-loss report over a prediction dump (schemaVersion 1).',
  });

/** A Stats block. */
export type Stats = z.infer<typeof StatsSchema>;
/** A class block. */
export type ClassStats = z.infer<typeof ClassStatsSchema>;
/** The report. */
export type Report = z.infer<typeof ReportSchema>;

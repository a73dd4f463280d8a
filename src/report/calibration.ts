/**
 * The report's `calibration` block, from a run's merged calibration sums (kernel/calibration.ts):
 * the reliability diagram's bins and the expected calibration error (ECE), overall and per class.
 *
 *   bin b covers [b / B, (b + 1) / B)  (the last one includes 1)
 *   meanConfidence_b = conf_b / n_b,  accuracy_b = correct_b / n_b     (null when n_b = 0)
 *   ECE = sum_b (n_b / N) |accuracy_b - meanConfidence_b| = sum_b |correct_b - conf_b| / N
 *
 * with N the entries of the series (ECE null when N = 0). Which series is the headline:
 *   binary      p (of class 1) against y = 1               kind "binary"
 *   multiclass  the top label's confidence and correctness  kind "top-label"
 *   multilabel  every (row, class) entry pooled             kind "multilabel"
 * and `classwise` holds each class's series (binary: 1 - p against y = 0, p against y = 1;
 * multiclass: p_k against [y = k] over every row; multilabel: class k's entries), its ECE the
 * mean of the classes' ECEs (over those with entries).
 */
import * as z from '../zod.ts';
import { CAL_CONF, CAL_COUNT, CAL_CORRECT, calibrationShape, cellOffset, type CalibrationShape } from '../kernel/calibration.ts';
import type { Mode } from '../kernel/types.ts';

const count = z.int().check(z.gte(0));
const unitOrNull = z.nullable(z.number().check(z.gte(0), z.lte(1)));

/** One bin of a reliability diagram. */
export const ReliabilityBinSchema = z.strictObject({
  lower: z.number().check(z.gte(0), z.lte(1)),
  upper: z.number().check(z.gte(0), z.lte(1)),
  count,
  meanConfidence: unitOrNull,
  accuracy: unitOrNull,
});

/** The calibration block of the report (with `calibration: true`). */
export const CalibrationSchema = z.strictObject({
  kind: z.enum(['binary', 'top-label', 'multilabel']),
  bins: z.int().check(z.gte(1)),
  ece: unitOrNull,
  reliability: z.array(ReliabilityBinSchema),
  classwise: z.optional(
    z.strictObject({
      ece: unitOrNull,
      classes: z.array(z.strictObject({ index: count, name: z.string(), ece: unitOrNull, reliability: z.array(ReliabilityBinSchema) })),
    }),
  ),
});

/** The calibration block. */
export type Calibration = z.infer<typeof CalibrationSchema>;
/** One reliability bin. */
export type ReliabilityBin = z.infer<typeof ReliabilityBinSchema>;

/** Cells of one series: n, correct and confidence sum per bin. */
interface Series {
  n: Float64Array;
  correct: Float64Array;
  conf: Float64Array;
}

/** The calibration block from the run's merged sums (`total`, calibrationLength slots). */
export function calibrationBlock(total: Float64Array, mode: Mode, classNames: readonly string[], bins: number): Calibration {
  const C = classNames.length;
  const shape = calibrationShape(mode, C, bins);
  const series = (s: number): Series => seriesOf(total, shape, s);
  const classSeries = classNames.map((_, k) => series(mode === 'multiclass' ? 1 + k : k));
  let main: Series;
  if (mode === 'binary') main = classSeries[1]!;
  else if (mode === 'multiclass') main = series(0);
  else main = pooled(classSeries, bins);
  const classes = classNames.map((name, k) => ({ index: k, name, ...summary(classSeries[k]!, bins) }));
  const eces = classes.map((c) => c.ece).filter((e): e is number => e !== null);
  return {
    kind: mode === 'binary' ? 'binary' : mode === 'multiclass' ? 'top-label' : 'multilabel',
    bins,
    ...summary(main, bins),
    classwise: { ece: eces.length > 0 ? eces.reduce((a, e) => a + e, 0) / eces.length : null, classes },
  };
}

function seriesOf(total: Float64Array, shape: CalibrationShape, s: number): Series {
  const B = shape.bins;
  const out: Series = { n: new Float64Array(B), correct: new Float64Array(B), conf: new Float64Array(B) };
  for (let b = 0; b < B; b++) {
    const o = cellOffset(shape, s, b);
    out.n[b] = total[o + CAL_COUNT]!;
    out.correct[b] = total[o + CAL_CORRECT]!;
    out.conf[b] = total[o + CAL_CONF]!;
  }
  return out;
}

/** The classes' series added bin by bin, in class order (multilabel's pooled series). */
function pooled(classSeries: readonly Series[], B: number): Series {
  const out: Series = { n: new Float64Array(B), correct: new Float64Array(B), conf: new Float64Array(B) };
  for (const s of classSeries) {
    for (let b = 0; b < B; b++) {
      out.n[b]! += s.n[b]!;
      out.correct[b]! += s.correct[b]!;
      out.conf[b]! += s.conf[b]!;
    }
  }
  return out;
}

/** A series' ECE and reliability bins. */
function summary(s: Series, B: number): { ece: number | null; reliability: ReliabilityBin[] } {
  let N = 0;
  let gap = 0;
  const reliability: ReliabilityBin[] = [];
  for (let b = 0; b < B; b++) {
    const n = s.n[b]!;
    N += n;
    gap += Math.abs(s.correct[b]! - s.conf[b]!);
    reliability.push({
      lower: b / B,
      upper: (b + 1) / B,
      count: n,
      // A mean of values in [0, 1] can round a hair past 1: kept inside.
      meanConfidence: n > 0 ? Math.min(1, s.conf[b]! / n) : null,
      accuracy: n > 0 ? s.correct[b]! / n : null,
    });
  }
  return { ece: N > 0 ? Math.min(1, gap / N) : null, reliability };
}

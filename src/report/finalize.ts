/**
 * From the run's merged partial to the report: alpha estimates from the class counts, the alpha
 * weight of every group, and the Stats blocks. Alpha is constant within a group, so every
 * alpha-weighted sum is the group's alpha-free sum times the group's weight: one pass is enough.
 */
import { estimateAlphas, estimateMultilabelAlphas, type AlphaEstimates } from '../alpha/estimates.ts';
import { classAlphas, groupWeights } from './weights.ts';
import type { Options } from '../options.ts';
import {
  COUNT,
  EASY_CE,
  EASY_COUNT,
  EASY_FL,
  groupOffset,
  HARD_CE,
  HARD_FL,
  histogramOffset,
  IGNORED,
  INVALID,
  ROWS,
  SUM_CE,
  SUM_FL,
  SUM_PT,
  type PartialShape,
} from '../kernel/partial.ts';
import { partialShape, type Plan } from '../input/plan.ts';
import { alphaConventions, effectiveBetas } from '../alpha/conventions.ts';
import { normalisationOf } from './normalisation.ts';
import { sweepOf } from './sweep.ts';
import { concentrationOf } from './concentration.ts';
import { healthOf } from './health.ts';
import { alphaWarnings, clampWarnings } from './warnings.ts';
import { ReportSchema, type ClassStats, type Report, type Stats } from './schema.ts';

/** Builds and checks the report from the merged partial of a whole run. */
export function finalize(partial: Float64Array, plan: Plan, options: Options): Report {
  const shape = partialShape(plan, options);
  const C = plan.classes;
  const groupCount = (g: number): number => partial[groupOffset(g) + COUNT]!;
  const multilabel = plan.mode === 'multilabel';
  const alphaEstimates: AlphaEstimates = multilabel
    ? estimateMultilabelAlphas(range(C).map(groupCount), range(C).map((c) => groupCount(C + c)), options.beta)
    : estimateAlphas(range(C).map(groupCount), options.beta);
  const classAlpha = classAlphas(plan, options, alphaEstimates);
  const weights = groupWeights(plan, options, classAlpha);
  const stats = (groups: number[]): Stats => statsOf(partial, shape, groups, weights);

  const classes: ClassStats[] = range(C).map((c) => {
    const groups = multilabel ? [c, C + c] : [c];
    const block: ClassStats = { index: c, name: plan.classNames[c]!, alpha: classAlpha[c]!, ...stats(groups) };
    if (multilabel) {
      block.positive = stats([c]);
      block.negative = stats([C + c]);
    }
    return block;
  });
  const total = stats(range(shape.groups));
  const classGroups = range(C).map((c) => (multilabel ? [c, C + c] : [c]));
  const positives = range(C).map(groupCount);
  const negatives = multilabel ? range(C).map((c) => groupCount(C + c)) : undefined;
  alphaEstimates.conventions = alphaConventions(positives, negatives, options.beta);
  alphaEstimates.effectiveBeta = effectiveBetas(positives);
  const health = healthOf(partial, shape, plan.input, options.epsilon, classGroups, { total: total.sumCE, classes: classes.map((c) => c.sumCE) });
  const warnings = [
    ...alphaWarnings({ mode: plan.mode, alpha: options.alpha, classNames: plan.classNames, positives, negatives }),
    ...clampWarnings({ input: plan.input, epsilon: options.epsilon, health }),
  ];
  const report: Report = {
    schemaVersion: 1,
    mode: plan.mode,
    input: plan.input,
    options: {
      gamma: options.gamma,
      ...(options.gammas === undefined ? {} : { gammas: options.gammas }),
      alpha: options.alpha,
      alphaScheme: options.alphaScheme,
      beta: options.beta,
      epsilon: options.epsilon,
      easyThreshold: options.easyThreshold,
      ignoreIndex: options.ignoreIndex,
      histogramBins: options.histogramBins,
      ...(options.concentrationBins > 0 ? { concentrationBins: options.concentrationBins } : {}),
      onInvalid: options.onInvalid,
    },
    rows: partial[ROWS]!,
    scored: total.count,
    ignored: partial[IGNORED]!,
    invalid: partial[INVALID]!,
    total,
    classes,
    alphaEstimates,
    ...(options.gammas === undefined
      ? {}
      : { sweep: sweepOf(partial, shape, options.gammas, weights, classGroups) }),
    ...(options.concentrationBins > 0 ? { concentration: concentrationOf(partial, shape, classGroups) } : {}),
    normalisation: normalisationOf(partial, plan.mode, C, weights),
    health,
    warnings,
  };
  return ReportSchema.parse(report);
}

function statsOf(partial: Float64Array, shape: PartialShape, groups: number[], weights: Float64Array): Stats {
  let count = 0;
  let sumCE = 0;
  let sumFL = 0;
  let sumLoss = 0;
  let sumPt = 0;
  const easy = { count: 0, sumCE: 0, sumFL: 0, sumLoss: 0 };
  const hard = { count: 0, sumCE: 0, sumFL: 0, sumLoss: 0 };
  const histogram = new Array<number>(shape.bins).fill(0);
  for (const g of groups) {
    const o = groupOffset(g);
    const w = weights[g]!;
    const n = partial[o + COUNT]!;
    const nEasy = partial[o + EASY_COUNT]!;
    count += n;
    sumCE += partial[o + SUM_CE]!;
    sumFL += partial[o + SUM_FL]!;
    sumLoss += w * partial[o + SUM_FL]!;
    sumPt += partial[o + SUM_PT]!;
    easy.count += nEasy;
    easy.sumCE += partial[o + EASY_CE]!;
    easy.sumFL += partial[o + EASY_FL]!;
    easy.sumLoss += w * partial[o + EASY_FL]!;
    hard.count += n - nEasy;
    hard.sumCE += partial[o + HARD_CE]!;
    hard.sumFL += partial[o + HARD_FL]!;
    hard.sumLoss += w * partial[o + HARD_FL]!;
    const h = histogramOffset(shape, g);
    for (let b = 0; b < shape.bins; b++) histogram[b]! += partial[h + b]!;
  }
  const mean = (s: number): number | null => (count > 0 ? s / count : null);
  // Shares from the split itself, so they stay within [0, 1] under rounding.
  const shareOf = (e: number, h: number): number | null => (e + h > 0 ? e / (e + h) : null);
  return {
    count,
    sumCE,
    sumFL,
    sumLoss,
    meanCE: mean(sumCE),
    meanLoss: mean(sumLoss),
    meanPt: mean(sumPt),
    easy,
    hard,
    easyShareCE: shareOf(easy.sumCE, hard.sumCE),
    easyShareFL: shareOf(easy.sumFL, hard.sumFL),
    histogram,
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

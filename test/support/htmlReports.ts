/**
 * Reports written by hand for the HTML report's tests: a small three-class report with every
 * block the HTML report draws (sweep, concentration, calibration, normalisation, health, warnings,
 * hardest units, alpha conventions), and the same without the optional blocks. The numbers are
 * plausible, not computed from data: the tests check what is drawn from them.
 */
import { ALPHA_SCHEMES } from '../../src/alpha/estimates.ts';
import type { Report, Stats } from '../../src/report/schema.ts';
import type { HtmlInput } from '../../src/render/htmlInput.ts';

/** A Stats block from its counts and sums (the means and shares follow from them). */
function stats(count: number, easy: [number, number, number], hard: [number, number, number], histogram: number[]): Stats {
  const [easyCount, easyCE, easyFL] = easy;
  const [, hardCE, hardFL] = hard;
  const sumCE = easyCE + hardCE;
  const sumFL = easyFL + hardFL;
  return {
    count,
    sumCE,
    sumFL,
    sumLoss: sumFL,
    meanCE: sumCE / count,
    meanLoss: sumFL / count,
    meanPt: 0.7,
    easy: { count: easyCount, sumCE: easyCE, sumFL: easyFL, sumLoss: easyFL },
    hard: { count: count - easyCount, sumCE: hardCE, sumFL: hardFL, sumLoss: hardFL },
    easyShareCE: easyCE / sumCE,
    easyShareFL: easyFL / sumFL,
    histogram,
  };
}

const cat = stats(600, [500, 60, 3], [100, 150, 90], [20, 30, 50, 100, 400]);
const dog = stats(300, [200, 40, 2.5], [100, 130, 80], [30, 30, 40, 80, 120]);
const bird = stats(100, [50, 15, 1], [50, 70, 45], [20, 10, 20, 20, 30]);
const total = stats(1000, [750, 115, 6.5], [250, 350, 215], [70, 70, 110, 200, 550]);

/** The report without any of the blocks the HTML report draws only when present. */
export function basicReport(names: readonly string[] = ['cat', 'dog', 'bird']): Report {
  return {
    schemaVersion: 1,
    mode: 'multiclass',
    input: 'probs',
    options: {
      gamma: 2,
      alpha: null,
      alphaScheme: 'inverse',
      beta: 0.999,
      epsilon: 1e-7,
      easyThreshold: 0.5,
      ignoreIndex: -100,
      histogramBins: 5,
      onInvalid: 'error',
    },
    rows: 1004,
    scored: 1000,
    ignored: 4,
    invalid: 0,
    total,
    classes: [cat, dog, bird].map((s, index) => ({ ...s, index, name: names[index]!, alpha: 1 })),
    normalisation: { perUnit: 0.3, perRow: 0.3, perPositive: 0.3, alphaWeightedMean: 0.3 },
    health: {
      capCE: 16.118,
      total: { clampedUnits: 0, cappedCE: 0, saturatedLogits: 0, clampedCE: 0, clampedShareCE: 0 },
      classes: [0, 1, 2].map((index) => ({ index, clampedUnits: 0, cappedCE: 0, saturatedLogits: 0, clampedCE: 0, clampedShareCE: 0 })),
    },
    warnings: [],
    alphaEstimates: {
      counts: [600, 300, 100],
      inverse: [0.1, 0.2, 0.7],
      balanced: [0.5556, 1.111, 3.333],
      'inverse-sqrt': [0.2, 0.3, 0.5],
      effective: [0.4, 0.7, 1.9],
      median: [0.5, 1, 3],
    },
  };
}

const curveX = Array.from({ length: 101 }, (_, i) => i / 100);

/** The report with every block the HTML report can draw. */
export function fullReport(names: readonly string[] = ['cat', 'dog', 'bird']): HtmlInput {
  const sweepPoint = (gamma: number | 'FLSD-53', scale: number, share: number) => ({
    gamma,
    total: { sumFL: 465 * scale, sumLoss: 465 * scale, meanLoss: 0.465 * scale, easyShareFL: share },
    classes: [0, 1, 2].map((index) => ({ index, sumFL: [210, 170, 85][index]! * scale, sumLoss: [210, 170, 85][index]! * scale, easyShareFL: share * (1 + index / 10) })),
  });
  const bins = [0, 1, 2, 3, 4].map((i) => ({ lower: i / 5, upper: (i + 1) / 5 }));
  return {
    ...basicReport(names),
    options: { ...basicReport(names).options, gammas: [0, 0.5, 1, 2, 5, 'FLSD-53'] },
    sweep: [sweepPoint(0, 1, 0.25), sweepPoint(0.5, 0.7, 0.12), sweepPoint(1, 0.5, 0.06), sweepPoint(2, 0.3, 0.02), sweepPoint(5, 0.08, 0.001), sweepPoint('FLSD-53', 0.12, 0.004)],
    concentration: {
      fractions: [0.01, 0.05, 0.1, 0.2, 0.5],
      bins: 4096,
      maxError: 0.0012,
      total: { ce: [0.08, 0.25, 0.4, 0.6, 0.88], fl: [0.2, 0.55, 0.75, 0.9, 0.99] },
      classes: [0, 1, 2].map((index) => ({ index, ce: [0.08, 0.25, 0.4, 0.6, 0.88], fl: [0.2, 0.55, 0.75, 0.9, 0.99] })),
      curve: { x: curveX, ce: curveX.map((x) => Math.sqrt(x)), fl: curveX.map((x) => Math.pow(x, 0.25)) },
    },
    normalisation: { perUnit: 0.465, perRow: 0.4631, perPositive: 1.55, alphaWeightedMean: 0.51 },
    health: {
      capCE: 16.118,
      total: { clampedUnits: 3, cappedCE: 1, saturatedLogits: 0, clampedCE: 16.118, clampedShareCE: 0.0105 },
      classes: [0, 1, 2].map((index) => ({ index, clampedUnits: index === 2 ? 3 : 0, cappedCE: index === 2 ? 1 : 0, saturatedLogits: 0, clampedCE: index === 2 ? 16.118 : 0, clampedShareCE: index === 2 ? 0.16 : 0 })),
    },
    warnings: ['alpha 0.25 on class "bird" (10% of the units) points against the class frequencies'],
    calibration: {
      kind: 'top-label',
      bins: 5,
      ece: 0.042,
      reliability: bins.map((b, i) => ({ ...b, count: i === 0 ? 0 : 100 * i, meanConfidence: i === 0 ? null : b.lower + 0.1, accuracy: i === 0 ? null : b.lower + 0.05 })),
      classwise: { ece: 0.05, classes: [0, 1, 2].map((index) => ({ index, name: names[index]!, ece: 0.03 + index / 100, reliability: [] })) },
    },
    hardest: [
      { row: 17, class: 2, className: names[2]!, pt: 1e-7, loss: 16.12 },
      { row: 3, class: 0, className: names[0]!, pt: 0.002, loss: 6.17 },
    ],
    alphaEstimates: { ...basicReport(names).alphaEstimates, conventions: Object.fromEntries(ALPHA_SCHEMES.map((scheme) => [scheme, { weightOnPositives: [0.25, 0.4, 0.7], perClass: [0.1, 0.2, 0.7] }])) as NonNullable<Report['alphaEstimates']['conventions']> },
  };
}

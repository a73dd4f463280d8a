/**
 * The report's warnings: configurations that are legal but probably not what was meant.
 *
 * Alpha against the class frequencies: a configured alpha (a number or a list, not "auto") that
 * gives a rare outcome less weight than a common one. Binary and multilabel: the weight on the
 * positives of a class is below 1/2 while its positives are under half of its units (RetinaNet's
 * alpha = 0.25 does exactly this, on purpose: see the message). Multiclass with a list: the rarest
 * class present weighs less than the most frequent.
 *
 * Clamped probabilities: with probabilities as input, the units clamped at epsilon carry at least
 * CLAMP_WARNING_SHARE (1%) of the CE sum. A unit clamped low has its CE capped at -ln eps (16.1 at
 * the default 1e-7), whatever the model's probability was, so past about 1% of the sum the loss
 * and its easy/hard split measurably depend on epsilon rather than on the model; logits (no
 * clamp, log p_t computed stably) would give the exact loss. The threshold is that of a number a
 * reader would quote: below 1% the clamp moves the mean CE by less than its first two digits.
 */
import type { InputKind, Mode } from '../kernel/types.ts';
import type { Health } from './health.ts';

/** What the alpha warning looks at: the options' alpha, each class's positives and units. */
export interface AlphaCheck {
  mode: Mode;
  alpha: null | 'auto' | number | number[];
  classNames: readonly string[];
  /** Units of each class (multilabel: its positive targets). */
  positives: readonly number[];
  /** Multilabel: negative targets per class; else undefined (the other classes' units). */
  negatives?: readonly number[];
}

const RETINANET =
  'RetinaNet (Lin et al. 2017) found alpha 0.25 best with gamma 2: the two were tuned together, since gamma already ' +
  'down-weights the many easy negatives; re-tune alpha when gamma changes';

/** The warning a configured alpha earns, or none. */
export function alphaWarnings(check: AlphaCheck): string[] {
  const { mode, alpha, classNames, positives } = check;
  if (alpha === null || alpha === 'auto') return [];
  const N = positives.reduce((a, n) => a + n, 0);
  const pct = (x: number): string => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;
  if (mode === 'multiclass') {
    if (!Array.isArray(alpha)) return [];
    const present = positives.map((n, c) => ({ n, c })).filter((x) => x.n > 0);
    if (present.length < 2) return [];
    const rare = present.reduce((a, b) => (b.n < a.n ? b : a));
    const common = present.reduce((a, b) => (b.n > a.n ? b : a));
    if (!(alpha[rare.c]! < alpha[common.c]!)) return [];
    return [
      `alpha points against the class frequencies: class ${classNames[rare.c]} (${pct(rare.n / N)} of the units) ` +
        `weighs ${alpha[rare.c]}, class ${classNames[common.c]} (${pct(common.n / N)}) weighs ${alpha[common.c]}; ${RETINANET}`,
    ];
  }
  // Binary: label 1 is the positive; a list weighs it alpha[1] against alpha[0], as a scalar a against 1 - a.
  const below = (c: number): boolean =>
    Array.isArray(alpha) ? (mode === 'binary' ? alpha[1]! < alpha[0]! : alpha[c]! < 0.5) : alpha < 0.5;
  const shown = (c: number): string => (Array.isArray(alpha) ? (mode === 'binary' ? `[${alpha.join(', ')}]` : String(alpha[c])) : String(alpha));
  const classes = mode === 'binary' ? [1] : classNames.map((_, c) => c);
  const against: string[] = [];
  for (const c of classes) {
    const p = positives[c]!;
    const total = mode === 'binary' ? N : p + check.negatives![c]!;
    if (total === 0 || p === 0) continue;
    const share = p / total;
    if (share < 0.5 && below(c)) against.push(`${classNames[c]} (positives ${pct(share)} of its units, alpha ${shown(c)})`);
  }
  if (against.length === 0) return [];
  const listed = against.length > 3 ? `${against.slice(0, 3).join(', ')} and ${against.length - 3} more` : against.join(', ');
  return [`alpha points against the class frequencies: it weighs the rare positives below their negatives for ${listed}; ${RETINANET}`];
}

/** The share of the CE sum on clamped units from which the report warns (1%). */
export const CLAMP_WARNING_SHARE = 0.01;

/** What the clamp warning looks at: the input kind, epsilon and the health block. */
export interface ClampCheck {
  input: InputKind;
  epsilon: number;
  health: Health;
}

/** The warning that clamped probabilities carry a notable share of the CE sum, or none. */
export function clampWarnings({ input, epsilon, health }: ClampCheck): string[] {
  const t = health.total;
  if (input !== 'probs' || t.clampedShareCE === null || !(t.clampedShareCE >= CLAMP_WARNING_SHARE)) return [];
  const high = t.clampedUnits - t.cappedCE;
  const units = (n: number): string => `${n.toLocaleString('en-US')} unit${n === 1 ? '' : 's'}`;
  return [
    `probabilities clamped at epsilon ${epsilon} carry ${(100 * t.clampedShareCE).toFixed(1)}% of sum CE: ` +
      `${units(t.cappedCE)} below epsilon, each with CE at the cap -ln(epsilon) = ${health.capCE!.toPrecision(4)} whatever the model said` +
      (high > 0 ? `, and ${units(high)} above 1 - epsilon` : '') +
      '; the loss depends on epsilon there. Logits would be exact: score the model\'s logits (--input logits, a column named logits) if it has them',
  ];
}

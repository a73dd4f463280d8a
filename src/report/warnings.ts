/**
 * The report's warnings: configurations that are legal but probably not what was meant.
 *
 * Alpha against the class frequencies: a configured alpha (a number or a list, not "auto") that
 * gives a rare outcome less weight than a common one. Binary and multilabel: the weight on the
 * positives of a class is below 1/2 while its positives are under half of its units (RetinaNet's
 * alpha = 0.25 does exactly this, on purpose: see the message). Multiclass with a list: the rarest
 * class present weighs less than the most frequent.
 */
import type { Mode } from '../kernel/types.ts';

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

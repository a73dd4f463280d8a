/**
 * Fills one batch's buffers with generated predictions and labels: the row-level draw order is
 * fixed here, so a seed always gives the same rows, and the probabilities and logits variants of
 * a multiclass dump hold the same rows (probs = the float64 softmax of the float64 logits, each
 * then rounded to float32, so they agree with a softmax of the stored logits to ~1e-7).
 * Each batch also tallies what it made (class counts, easy units), so a dump's summary says what
 * a correct evaluation should roughly find.
 */
import type { BatchBuffers } from './arrowBatch.ts';
import type { CategoricalSampler } from './classPrior.ts';
import type { Prng } from './prng.ts';
import { drawUnitMargin, fillRowLogits, softmaxInto } from './signal.ts';

/** What the generator knows about the units it made. */
export interface Tally {
  rows: number;
  nullLabels: number;
  units: number;
  /** Units whose p_t (from the stored values) is >= 0.5. */
  easy: number;
  /** Per class: rows of that class (multiclass) or positives (multilabel). */
  positives: Float64Array;
}

/** A zero tally for C classes. */
export function emptyTally(classes: number): Tally {
  return { rows: 0, nullLabels: 0, units: 0, easy: 0, positives: new Float64Array(classes) };
}

/** The parts of a dump's recipe that a batch needs. */
export interface BatchRecipe {
  classes: number;
  /** Multiclass: store softmax probabilities (true) or the logits (false). */
  probs: boolean;
  nullLabelRate: number;
}

/** Fills a multiclass batch: a class per row from the prior, logits with signal, then probs or logits. */
export function fillMulticlass(
  prng: Prng,
  sampler: CategoricalSampler,
  hardShare: Float64Array,
  recipe: BatchRecipe,
  rows: number,
  tally: Tally,
): BatchBuffers {
  const C = recipe.classes;
  const pred = new Float32Array(rows * C);
  const label = new Int32Array(rows);
  const nulls = new NullMask(rows, recipe.nullLabelRate);
  const z = new Float64Array(C);
  const p = new Float64Array(C);
  for (let i = 0; i < rows; i++) {
    const y = sampler.sample(prng.uniform());
    fillRowLogits(prng, z, C, y, prng.uniform() < hardShare[y]!);
    softmaxInto(z, p, C);
    const row = pred.subarray(i * C, (i + 1) * C);
    row.set(recipe.probs ? p : z);
    label[i] = y;
    if (nulls.draw(prng, i)) continue;
    tally.units++;
    tally.positives[y]!++;
    if ((recipe.probs ? row[y]! : p[y]!) >= 0.5) tally.easy++;
  }
  return finish(tally, rows, nulls, { rows, pred, label });
}

/** Fills a multilabel batch: independent 0/1 targets per class from the rates, a logit per unit with signal. */
export function fillMultilabel(
  prng: Prng,
  rates: Float64Array,
  recipe: BatchRecipe,
  rows: number,
  tally: Tally,
): BatchBuffers {
  const C = recipe.classes;
  const pred = new Float32Array(rows * C);
  const label = new Uint8Array(rows * C);
  const nulls = new NullMask(rows, recipe.nullLabelRate);
  for (let i = 0; i < rows; i++) {
    let easy = 0;
    for (let c = 0, k = i * C; c < C; c++, k++) {
      const t = prng.uniform() < rates[c]! ? 1 : 0;
      const margin = drawUnitMargin(prng);
      pred[k] = t === 1 ? margin : -margin;
      label[k] = t;
      if (margin >= 0) easy++;
    }
    if (nulls.draw(prng, i)) continue;
    tally.units += C;
    tally.easy += easy;
    for (let c = 0, k = i * C; c < C; c++, k++) tally.positives[c]! += label[k]!;
  }
  return finish(tally, rows, nulls, { rows, pred, label });
}

function finish(tally: Tally, rows: number, nulls: NullMask, b: Pick<BatchBuffers, 'rows' | 'pred' | 'label'>): BatchBuffers {
  tally.rows += rows;
  tally.nullLabels += nulls.count;
  return { ...b, labelValidity: nulls.bitmap(), labelNulls: nulls.count };
}

/** Which labels of a batch are null: drawn per row at a fixed rate, kept as an Arrow validity bitmap. */
class NullMask {
  count = 0;
  private bits: Uint8Array | null = null;

  constructor(
    private readonly rows: number,
    private readonly rate: number,
  ) {}

  /** Draws whether row i's label is null (no draw at all when the rate is 0); true when it is. */
  draw(prng: Prng, i: number): boolean {
    if (this.rate <= 0 || prng.uniform() >= this.rate) return false;
    this.bits ??= new Uint8Array(Math.ceil(this.rows / 8)).fill(0xff);
    this.bits[i >> 3]! &= ~(1 << (i & 7));
    this.count++;
    return true;
  }

  /** The validity bitmap, or null when no label is null. */
  bitmap(): Uint8Array | null {
    return this.bits;
  }
}

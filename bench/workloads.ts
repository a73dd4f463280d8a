/**
 * The benchmark's workloads, fixed here so that every run measures the same bytes: W1 and W2 are
 * the same 10-class rows as softmax probabilities and as logits (one background class at ~90 %,
 * a Zipf tail down to ~0.4 %), W3 is an 80-class multilabel dump (~1.3 % positives, one class
 * at ~25 %). All seeded, in 65,536-row batches; --quick makes each a tenth of the size.
 */
import { fileURLToPath } from 'node:url';
import type { DumpSpec } from '../examples/generate.ts';

/** One workload: its id, its recipe, where its file lives and how many units a row holds. */
export interface Workload {
  id: string;
  title: string;
  spec: DumpSpec;
  path: string;
  /** Units per row: 1 in multiclass, C in multilabel. */
  unitsPerRow: number;
}

/** Where generated bench inputs live (ignored by git). */
export const DATA_DIR = fileURLToPath(new URL('./data/', import.meta.url));

const SEED = 7;
const BATCH = 65_536;

/** The workloads, full size or --quick size. */
export function workloads(quick: boolean): Workload[] {
  const mcRows = quick ? 500_000 : 5_000_000;
  const mlRows = quick ? 50_000 : 500_000;
  const multiclass = (mode: DumpSpec['mode']): DumpSpec => ({ rows: mcRows, classes: 10, mode, seed: SEED, batchSize: BATCH });
  return [
    make('W1', '10-class probs', multiclass('multiclass-probs'), 1),
    make('W2', '10-class logits', multiclass('multiclass-logits'), 1),
    make('W3', '80-class multilabel logits', { rows: mlRows, classes: 80, mode: 'multilabel-logits', seed: SEED, batchSize: BATCH }, 80),
  ];
}

/**
 * One batch of W1's rows: what the CLI costs before it has anything to score (Node's start, the
 * pool's start, loading, checking the input, one batch, the report): the floor under every
 * workload's time.
 */
export function floorWorkload(): Workload {
  return make('floor', "one batch of W1's rows", { rows: BATCH, classes: 10, mode: 'multiclass-probs', seed: SEED, batchSize: BATCH }, 1);
}

function make(id: string, title: string, spec: DumpSpec, unitsPerRow: number): Workload {
  // The file name carries the recipe, so a changed recipe never reuses a stale file.
  const name = `${id.toLowerCase()}-${spec.mode}-${spec.classes}c-${spec.rows}r-s${spec.seed}.arrow`;
  return { id, title, spec, path: DATA_DIR + name, unitsPerRow };
}

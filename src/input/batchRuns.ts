/**
 * Runs of small batches: consecutive 'ipc-lean' batches of a file, gathered into one task until
 * their bodies reach RUN_BYTES (or RUN_BATCHES of them). A task costs about half a millisecond of
 * CPU whatever its size (the plan cloned into the worker, the result posted back, the merge's
 * bookkeeping): on the 50,000,000-row W1 dump in 65,536-row batches that was ~0.13 s of 1.0 s.
 * The worker still scores each batch into a partial of its own, merged in batch order, so the
 * report is the same to the bit. Any other batch goes on its own, after the run before it.
 */
import type { BatchItem } from './open.ts';

/** A run's body bytes at most (a batch past it on its own is a run of one). */
export const RUN_BYTES = 16 * 1024 * 1024;
/** A run's batches at most. */
export const RUN_BATCHES = 64;

/** A task's batches and the number of its first batch. */
export interface BatchRun {
  item: BatchItem;
  first: number;
  /** How many input batches the item covers. */
  count: number;
}

type LeanRef = Extract<BatchItem['batch'], { kind: 'ipc-lean' }>;

/** Gathers batches into runs: add() each batch in order, then flush() once at the end. */
export class BatchRuns {
  #pending: { refs: LeanRef[]; first: number; bytes: number } | null = null;

  /** Adds batch `index`; returns the runs that are complete (in order). */
  add(item: BatchItem, index: number): BatchRun[] {
    const { batch } = item;
    if (batch.kind !== 'ipc-lean') return [...this.flush(), { item, first: index, count: 1 }];
    const pending = this.#pending;
    const bytes = batch.block.bodyLength;
    if (pending !== null && pending.refs[0]!.path === batch.path && pending.bytes + bytes <= RUN_BYTES && pending.refs.length < RUN_BATCHES) {
      pending.refs.push(batch);
      pending.bytes += bytes;
      return [];
    }
    const done = this.flush();
    this.#pending = { refs: [batch], first: index, bytes };
    return done;
  }

  /** The run still gathering, if any. */
  flush(): BatchRun[] {
    const pending = this.#pending;
    this.#pending = null;
    if (pending === null) return [];
    const { refs, first } = pending;
    if (refs.length === 1) return [{ item: { batch: refs[0]! }, first, count: 1 }];
    const { path, columns, codecs } = refs[0]!;
    const blocks = refs.map((r) => r.block);
    return [{ item: { batch: { kind: 'ipc-lean-run', path, blocks, columns, codecs } }, first, count: refs.length }];
  }
}

/**
 * The shards of a submit: each file whole, or cut into ranges of `split` batches (Parquet: row
 * groups). Cutting needs the file's batch count, which the input's own reader gives from the
 * footer (IPC file) or the metadata (Parquet) without reading any batch body.
 */
import { resolve } from 'node:path';
import { openInput } from '../input/open.ts';
import { makePlan, planNeeds } from '../input/plan.ts';
import { parseOptions, type OptionsInput } from '../options.ts';
import type { Shard } from './jobs.ts';

/** The shards of `files`, in order: each file whole, or in ranges of `split` batches. */
export async function shardsOf(files: readonly string[], options: OptionsInput, split?: number): Promise<Shard[]> {
  const shards: Shard[] = [];
  for (const file of files) {
    const path = resolve(file);
    if (split === undefined) {
      shards.push({ file: path });
      continue;
    }
    const count = await batchCount(path, options);
    for (let start = 0; start < count; start += split) shards.push({ file: path, batches: { start, end: Math.min(start + split, count) } });
  }
  return shards;
}

/** How many batches (row groups) a file has: its plan is made, as a run would, and its batch references counted. */
export async function batchCount(path: string, options: OptionsInput): Promise<number> {
  const opts = parseOptions(options);
  const input = await openInput(path, opts.inputFormat);
  try {
    const needs = planNeeds(input.schema, opts);
    const plan = makePlan(input.schema, opts, needs.batches ? await input.planBatches(needs.widthColumn, needs.dictionaryColumn) : null, input.name);
    let count = 0;
    for await (const item of input.batchRefs(plan)) if (item) count++;
    return count;
  } finally {
    await input.close();
  }
}

/** The kinds of the BatchRefs an input's plan makes (in order of first appearance), planned as evaluate plans it. */
import { openInput } from '../../src/input/open.ts';
import { makePlan, planNeeds } from '../../src/input/plan.ts';
import { parseOptions, type OptionsInput } from '../../src/options.ts';

export async function batchKinds(path: string, options: OptionsInput): Promise<string[]> {
  const input = await openInput(path);
  try {
    const opts = parseOptions(options);
    const needs = planNeeds(input.schema, opts);
    const plan = makePlan(input.schema, opts, needs.batches ? await input.planBatches(needs.widthColumn, needs.dictionaryColumn) : null, input.name);
    const kinds = new Set<string>();
    for await (const { batch } of input.batchRefs(plan)) kinds.add(batch.kind);
    return [...kinds];
  } finally {
    await input.close();
  }
}

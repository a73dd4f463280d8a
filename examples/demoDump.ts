/**
 * The demo's input, shared by the demo and the library example: one place says where the file
 * lives, how it is made and what its classes are called. Labels are stored as Int32 class indices
 * and the names are passed to the evaluator (`classNames`, CLI `--class-names`), which keeps the
 * demo on the same fast label path as the benchmarks.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeDump, ensureDump, type DumpSpec } from './generate.ts';

/** Where the demo dump is written (ignored by git). */
export const DEMO_PATH = fileURLToPath(new URL('./data/demo.arrow', import.meta.url));

/** The demo's class names, background first. */
export const DEMO_CLASS_NAMES = ['background', 'person', 'car', 'bicycle', 'dog', 'cat', 'bus', 'truck', 'bird', 'boat'];

/** The demo dump's recipe: 200,000 rows of 10-class softmax probabilities, 0.05 % of labels null. */
export const DEMO_SPEC: DumpSpec = {
  rows: 200_000,
  classes: DEMO_CLASS_NAMES.length,
  mode: 'multiclass-probs',
  seed: 2024,
  nullLabelRate: 0.0005,
};

/** Makes the demo dump unless it exists; says so on stderr when it makes it. Resolves to its path. */
export async function ensureDemoDump(): Promise<string> {
  await mkdir(dirname(DEMO_PATH), { recursive: true });
  const summary = await ensureDump(DEMO_PATH, DEMO_SPEC);
  if (summary) process.stderr.write(`generated ${describeDump({ ...summary, path: relative(process.cwd(), summary.path) })}\n`);
  return DEMO_PATH;
}

/**
 * Merging run partials, and their report. The merge refuses partials whose reports could not be
 * one run's: a different plan (mode, input kind, classes, class names, columns) or a different
 * report option (gamma, alpha, histogram bins...). The report replays what a single run over all
 * the partials' batches in order does: each batch's float sums added in turn to a running total
 * that starts at zero, the counts (exact in any order) once; so it is that run's report, bit for bit.
 */
import { FocalEvalError } from '../errors.ts';
import { createPartial, ROWS } from '../kernel/partial.ts';
import { weightsBeforeRun, withExtras } from '../report/extras.ts';
import { mergedOf, mergeRunExtras } from '../report/runExtras.ts';
import { parseOptions } from '../options.ts';
import { finalize } from '../report/finalize.ts';
import type { Report } from '../report/schema.ts';
import { REPORT_OPTIONS, type RunPartial } from './partial.ts';
import { slotsOf, sumsPerBatch } from './slots.ts';

/** The plan fields a report depends on (storage kinds, such as a List for a FixedSizeList, do not matter). */
const PLAN_FIELDS = ['mode', 'input', 'classes', 'classNames', 'labelStrings', 'labelColumn', 'predColumn'] as const;

/**
 * Concatenates partials in the order given, as if their inputs were one input; `names` (file
 * names, by default the partials' inputs) are for the error that incompatible partials raise.
 */
export function mergePartials(parts: readonly RunPartial[], names: readonly string[] = parts.map((p) => p.inputs.join(' + '))): RunPartial {
  if (parts.length === 0) throw new FocalEvalError('E_USAGE', 'merge needs at least one partial');
  const first = parts[0]!;
  parts.forEach((part, i) => {
    const why = incompatibility(first, part);
    // E_USAGE (the files given do not go together), without the --help hint a UsageError (a flag) gets.
    if (why !== null) throw new FocalEvalError('E_USAGE', `${names[i]}: cannot be merged with ${names[0]}: ${why}`);
  });
  const counts = new Float64Array(first.counts.length);
  for (const part of parts) for (let j = 0; j < counts.length; j++) counts[j]! += part.counts[j]!;
  const pieces = parts.reduce((n, p) => n + p.pieces, 0);
  const sums = new Float64Array(pieces * sumsPerBatch(first.shape));
  let at = 0;
  for (const part of parts) {
    sums.set(part.sums, at);
    at += part.sums.length;
  }
  const merged: RunPartial = { inputs: parts.flatMap((p) => p.inputs), plan: first.plan, options: first.options, shape: first.shape, counts, pieces, sums };
  if (first.extras !== undefined) {
    const opts = parseOptions(first.options);
    // Each part's rows: the ROWS count, the first count slot (slots.ts).
    const rows = parts.map((p) => p.counts[ROWS]!);
    merged.extras = mergeRunExtras(parts.map((p) => p.extras!), rows, weightsBeforeRun(first.plan, opts), first.shape.groups);
  }
  return merged;
}

/** Why `b` cannot follow `a` in one run, or null when it can. */
export function incompatibility(a: RunPartial, b: RunPartial): string | null {
  for (const field of PLAN_FIELDS) {
    const [x, y] = [JSON.stringify(a.plan[field]), JSON.stringify(b.plan[field])];
    if (x !== y) {
      const hint = field === 'classNames' || field === 'labelStrings' ? ' (pass the same --class-names to every shard)' : '';
      return `${planLabel(field)} ${y} here, ${x} there${hint}`;
    }
  }
  for (const key of REPORT_OPTIONS) {
    const [x, y] = [JSON.stringify(a.options[key] ?? null), JSON.stringify(b.options[key] ?? null)];
    if (x !== y) return `option ${key} ${y} here, ${x} there`;
  }
  if ((a.extras === undefined) !== (b.extras === undefined)) return `calibration or hardest units ${b.extras === undefined ? 'missing' : 'present'} here`;
  return null;
}

function planLabel(field: (typeof PLAN_FIELDS)[number]): string {
  const labels: Record<(typeof PLAN_FIELDS)[number], string> = {
    mode: 'mode',
    input: 'input kind',
    classes: 'class count',
    classNames: 'class names',
    labelStrings: 'label strings',
    labelColumn: 'label column',
    predColumn: 'prediction column',
  };
  return labels[field];
}

/** The merged partial of a whole run, as the run's merge would have left it (the report's input). */
export function replay(part: RunPartial): Float64Array {
  const { counts, sums } = slotsOf(part.shape);
  const total = createPartial(part.shape);
  const per = sums.length;
  // Batch by batch, each sum slot in turn: the additions of pool/ordered.ts's mergeInto, in its order.
  for (let k = 0; k < part.pieces; k++) {
    const base = k * per;
    for (let j = 0; j < per; j++) total[sums[j]!]! += part.sums[base + j]!;
  }
  for (let j = 0; j < counts.length; j++) total[counts[j]!] = part.counts[j]!;
  return total;
}

/** The report of a partial: the same as evaluate's over the partial's inputs, concatenated in order. */
export function partialReport(part: RunPartial): Report {
  const opts = parseOptions(part.options);
  const report = finalize(replay(part), part.plan, opts);
  return part.extras === undefined ? report : withExtras(report, mergedOf(part.extras), part.plan, opts);
}

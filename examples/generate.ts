/**
 * Generates realistic, imbalanced prediction dumps as Arrow IPC files, deterministically from a
 * seed: the examples and the benchmarks need inputs of any size that look like a real model's
 * output (one dominant background class, a Zipf tail of rare classes, half the units easy) and
 * that anyone can remake byte for byte instead of downloading. Batches are written to disk as
 * they are made, so a multi-GB dump needs about one batch of memory.
 *
 * As a script:
 *   node --import tsx examples/generate.ts --out FILE [--rows N] [--classes C]
 *     [--mode multiclass-probs|multiclass-logits|multilabel-logits] [--batch-size N] [--seed S]
 *     [--null-labels RATE] [--labels int32|dictionary] [--class-names a,b,c]
 */
import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BatchMaker } from './arrowBatch.ts';
import { CategoricalSampler, multiclassPrior, multilabelRates } from './classPrior.ts';
import { emptyTally, fillMulticlass, fillMultilabel, type BatchRecipe, type Tally } from './fillBatch.ts';
import { IpcFileSink } from './ipcFileSink.ts';
import { Prng } from './prng.ts';
import { hardShares } from './signal.ts';

/** The recipe of a dump; every field but rows, classes and mode has a default. */
export interface DumpSpec {
  rows: number;
  classes: number;
  /** multiclass-probs: `probs` FixedSizeList<Float32>[C]; multiclass-logits: `logits`; multilabel-logits: `logits` + FixedSizeList<Uint8>[C] targets. */
  mode: 'multiclass-probs' | 'multiclass-logits' | 'multilabel-logits';
  /** Rows per record batch (default 65,536). */
  batchSize?: number;
  /** PRNG seed (default 1). The probs and logits variants of one seed hold the same rows. */
  seed?: number;
  /** Multiclass: share of class 0, the background (default 0.9). */
  background?: number;
  /** Multiclass: share of the rarest class, the end of the Zipf tail (default 0.004). */
  rarest?: number;
  /** Multilabel: mean positive rate over all units (default 0.013). */
  positiveRate?: number;
  /** Multilabel: positive rate of class 0, the common one (default 0.25). */
  topPositiveRate?: number;
  /** Share of rows whose label is null, i.e. ignored by the evaluator (default 0). */
  nullLabelRate?: number;
  /** Multiclass label storage: Int32 class index (default) or dictionary-encoded class name. */
  labels?: 'int32' | 'dictionary';
  /** Class names, for dictionary-encoded labels. */
  classNames?: readonly string[];
}

const MODES: readonly DumpSpec['mode'][] = ['multiclass-probs', 'multiclass-logits', 'multilabel-logits'];

/** What was written, and what the generator knows about it. */
export interface DumpSummary extends Tally {
  path: string;
  bytes: number;
  batches: number;
  seconds: number;
}

/** Writes a dump to `path` (atomically: the file appears only when complete) and summarises it. */
export async function generateDump(path: string, spec: DumpSpec): Promise<DumpSummary> {
  const started = performance.now();
  const batchSize = spec.batchSize ?? 65_536;
  const prng = new Prng(spec.seed ?? 1);
  const tally = emptyTally(spec.classes);
  const fill = batchFiller(spec, prng, tally);
  const maker = new BatchMaker(layoutOf(spec));
  const sink = await IpcFileSink.create(path);
  let batches = 0;
  try {
    // At least one batch, so that an empty dump still has its schema.
    for (let done = 0; done < spec.rows || batches === 0; done += batchSize, batches++) {
      await sink.write(maker.make(fill(Math.min(batchSize, spec.rows - done))));
    }
    const bytes = await sink.close();
    return { ...tally, path, bytes, batches, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/** Generates the dump unless a file is already at `path`; resolves to the summary, or null when it was there. */
export async function ensureDump(path: string, spec: DumpSpec): Promise<DumpSummary | null> {
  if (await exists(path)) return null;
  return generateDump(path, spec);
}

/** The estimated file size of a dump in bytes (predictions, labels, and a little metadata per batch). */
export function estimatedBytes(spec: DumpSpec): number {
  const labelBytes = spec.mode === 'multilabel-logits' ? spec.classes : 4;
  const batches = Math.ceil(spec.rows / (spec.batchSize ?? 65_536));
  return spec.rows * (4 * spec.classes + labelBytes) + batches * 512;
}

function layoutOf(spec: DumpSpec) {
  const multilabel = spec.mode === 'multilabel-logits';
  return {
    predColumn: spec.mode === 'multiclass-probs' ? ('probs' as const) : ('logits' as const),
    classes: spec.classes,
    label: multilabel ? ('multilabel' as const) : (spec.labels ?? 'int32'),
    classNames: spec.classNames,
  };
}

/** The function that makes the next batch's buffers for this spec. */
function batchFiller(spec: DumpSpec, prng: Prng, tally: Tally) {
  const recipe: BatchRecipe = {
    classes: spec.classes,
    probs: spec.mode === 'multiclass-probs',
    nullLabelRate: spec.nullLabelRate ?? 0,
  };
  if (spec.mode === 'multilabel-logits') {
    const rates = multilabelRates(spec.classes, spec.topPositiveRate ?? 0.25, spec.positiveRate ?? 0.013);
    return (rows: number) => fillMultilabel(prng, rates, recipe, rows, tally);
  }
  const sampler = new CategoricalSampler(multiclassPrior(spec.classes, spec.background ?? 0.9, spec.rarest ?? 0.004));
  const hard = hardShares(spec.classes);
  return (rows: number) => fillMulticlass(prng, sampler, hard, recipe, rows, tally);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** One line per dump for people: size, speed, and the share of easy units and of each class. */
export function describeDump(s: DumpSummary): string {
  const mb = (s.bytes / 1e6).toFixed(1);
  const scoredRows = Math.max(1, s.rows - s.nullLabels);
  const shares = Array.from(s.positives.subarray(0, 10), (n) => ((100 * n) / scoredRows).toFixed(2) + '%');
  const more = s.positives.length > 10 ? ' ...' : '';
  const positives = s.positives.reduce((a, b) => a + b, 0);
  const multilabel = positives !== s.units;
  const positiveShare = multilabel ? `positives ${((100 * positives) / Math.max(1, s.units)).toFixed(2)}% of units; ` : '';
  return (
    `${s.path}: ${s.rows.toLocaleString('en-US')} rows in ${s.batches} batches, ${mb} MB, ${s.seconds.toFixed(1)} s; ` +
    `${s.nullLabels} null labels; easy units ${((100 * s.easy) / Math.max(1, s.units)).toFixed(1)}%; ` +
    `${positiveShare}per class ${shares.join(' ')}${more}`
  );
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      rows: { type: 'string', default: '200000' },
      classes: { type: 'string', default: '10' },
      mode: { type: 'string', default: 'multiclass-probs' },
      'batch-size': { type: 'string', default: '65536' },
      seed: { type: 'string', default: '1' },
      'null-labels': { type: 'string', default: '0' },
      labels: { type: 'string', default: 'int32' },
      'class-names': { type: 'string' },
    },
  });
  if (values.out === undefined) throw new Error('--out FILE is required');
  if (!MODES.includes(values.mode as DumpSpec['mode'])) throw new Error(`--mode must be one of ${MODES.join(', ')}`);
  if (values.labels !== 'int32' && values.labels !== 'dictionary') throw new Error('--labels must be int32 or dictionary');
  const [rows, classes] = [Number(values.rows), Number(values.classes)];
  if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(classes) && classes >= 1)) {
    throw new Error('--rows must be an integer >= 0 and --classes an integer >= 1');
  }
  const summary = await generateDump(values.out, {
    rows,
    classes,
    mode: values.mode as DumpSpec['mode'],
    batchSize: Number(values['batch-size']),
    seed: Number(values.seed),
    nullLabelRate: Number(values['null-labels']),
    labels: values.labels as DumpSpec['labels'],
    classNames: values['class-names']?.split(','),
  });
  process.stdout.write(describeDump(summary) + '\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`generate: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}

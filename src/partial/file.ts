/**
 * The partial file (`score --partial`, `merge --partial`, a cluster job's result): JSON, version 2,
 * checked by a zod schema on read. Version 2 added the numerical-health counts to every partial
 * (kernel/health.ts); a version 1 file lacks them and is refused with a message that says so (its
 * inputs must be scored again), never read as if no unit had been clamped. Counts are JSON integers; the float sums are the float64 values'
 * little-endian bytes in base64, so that every bit survives the round trip (a decimal rendering is
 * exact too, but three times as long, and a -0 would lose its sign).
 */
import { readFile } from 'node:fs/promises';
import * as z from '../zod.ts';
import { FocalEvalError } from '../errors.ts';
import { INPUTS, MODES } from '../kernel/types.ts';
import { partialShape } from '../input/plan.ts';
import { OptionsSchema } from '../options.ts';
import { reportOptions, type RunPartial } from './partial.ts';
import { slotsOf, sumsPerBatch } from './slots.ts';
import { CalibrationFileSchema, decodeExtras, encodeExtras, HardestFileSchema } from './extrasFile.ts';

const count = z.int().check(z.gte(0));

const PlanSchema = z.strictObject({
  mode: z.enum(MODES),
  input: z.enum(INPUTS),
  labelColumn: z.string(),
  predColumn: z.string(),
  classes: z.int().check(z.gte(1)),
  classNames: z.array(z.string()),
  labelKind: z.enum(['int', 'bool', 'dictionary', 'utf8', 'list']),
  predKind: z.enum(['scalar', 'fixed', 'list']),
  targetIsList: z.boolean(),
  stringLabels: z.boolean(),
  labelStrings: z.nullable(z.array(z.nullable(z.string()))),
});

/** The partial file's version: 2 since the health counts. */
export const PARTIAL_FILE_VERSION = 2;

/** The partial file's schema, version 2. */
export const PartialFileSchema = z.strictObject({
  format: z.literal('focal-eval-partial'),
  version: z.literal(PARTIAL_FILE_VERSION),
  inputs: z.array(z.string()),
  plan: PlanSchema,
  /** The report options (OptionsSchema judges them again on read). */
  options: z.looseObject({}),
  groups: z.int().check(z.gte(1)),
  bins: z.int().check(z.gte(1)),
  pieces: count,
  counts: z.array(count),
  /** pieces × groups × 7 float64 values, little-endian, base64. */
  sums: z.string(),
  /** With options.calibration and options.top (extrasFile.ts). */
  calibration: z.optional(CalibrationFileSchema),
  hardest: z.optional(HardestFileSchema),
});

/** A partial file's JSON. */
export type PartialFile = z.infer<typeof PartialFileSchema>;

/** The partial as the text of a partial file. */
export function encodePartial(part: RunPartial): string {
  const bytes = new Uint8Array(part.sums.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < part.sums.length; i++) view.setFloat64(i * 8, part.sums[i]!, true);
  const file: PartialFile = {
    format: 'focal-eval-partial',
    version: PARTIAL_FILE_VERSION,
    inputs: part.inputs,
    plan: part.plan,
    options: part.options,
    groups: part.shape.groups,
    bins: part.shape.bins,
    pieces: part.pieces,
    counts: Array.from(part.counts),
    sums: Buffer.from(bytes).toString('base64'),
    ...encodeExtras(part.extras),
  };
  return JSON.stringify(file) + '\n';
}

/** Reads a partial from its file's text; `name` (the file) is for the E_INPUT error a bad one raises. */
export function decodePartial(text: string, name: string): RunPartial {
  const bad = (why: string) => new FocalEvalError('E_INPUT', `${name}: not a focal-eval partial file (version ${PARTIAL_FILE_VERSION}): ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  const old = json as { format?: unknown; version?: unknown } | null;
  if (old?.format === 'focal-eval-partial' && old.version === 1) {
    throw new FocalEvalError(
      'E_INPUT',
      `${name}: a focal-eval partial file of version 1, written before the numerical-health counts (version ${PARTIAL_FILE_VERSION}): score its inputs again with --partial`,
    );
  }
  const result = PartialFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw bad(`${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  const file = result.data;
  const options = OptionsSchema.safeParse(file.options);
  if (!options.success) throw bad(`options: ${options.error.issues[0]!.path.join('.')}: ${options.error.issues[0]!.message}`);
  const shape = partialShape(file.plan, options.data);
  if (shape.groups !== file.groups || shape.bins !== file.bins) {
    throw bad(`groups ${file.groups} and bins ${file.bins} do not fit the plan (${shape.groups} and ${shape.bins})`);
  }
  if (file.plan.classNames.length !== file.plan.classes) throw bad(`${file.plan.classNames.length} class names for ${file.plan.classes} classes`);
  const slots = slotsOf(shape);
  if (file.counts.length !== slots.counts.length) throw bad(`counts: ${file.counts.length} values, expected ${slots.counts.length}`);
  const bytes = Buffer.from(file.sums, 'base64');
  const expected = file.pieces * sumsPerBatch(shape) * 8;
  if (bytes.length !== expected || Buffer.from(bytes).toString('base64') !== file.sums) {
    throw bad(`sums: ${bytes.length} bytes of base64, expected ${expected} (${file.pieces} pieces)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sums = new Float64Array(bytes.length / 8);
  for (let i = 0; i < sums.length; i++) {
    sums[i] = view.getFloat64(i * 8, true);
    if (!Number.isFinite(sums[i]!)) throw bad(`sums: value ${i} is ${sums[i]}`);
  }
  const part: RunPartial = {
    inputs: file.inputs,
    plan: file.plan,
    options: reportOptions(options.data),
    shape,
    counts: Float64Array.from(file.counts),
    pieces: file.pieces,
    sums,
  };
  const extras = decodeExtras(file, file.plan, options.data, bad);
  if (extras !== undefined) part.extras = extras;
  return part;
}

/** Reads and checks a partial file; a missing or bad one is an E_INPUT error naming it. */
export async function readPartialFile(path: string): Promise<RunPartial> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FocalEvalError('E_INPUT', `${path}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  return decodePartial(text, path);
}

/**
 * Alphas you can carry between runs: `focal-eval alphas FILE --out alphas.json` writes the class
 * counts and every scheme's estimates with the class names, and `score --alpha-file alphas.json`
 * (library: `alphaEstimates` with `alpha: "auto"`) applies them to other data, or before the
 * first row of a stream goes out. The format is the report's alphaEstimates object plus what
 * is needed to check that it fits the data it is applied to.
 */
import { readFile } from 'node:fs/promises';
import * as z from '../zod.ts';
import { MODES } from '../kernel/types.ts';
import { ALPHA_SCHEMES, type AlphaEstimates, type AlphaScheme } from './estimates.ts';
import { UsageError } from '../errors.ts';

const count = z.int().check(z.gte(0));
const estimates = z.array(z.nullable(z.number().check(z.gte(0))));

/** The saved-alphas format, version 1. */
export const SavedAlphasSchema = z.looseObject({
  format: z.literal('focal-eval-alphas'),
  version: z.literal(1),
  mode: z.enum(MODES),
  classNames: z.array(z.string()).check(z.minLength(1)),
  beta: z.number(),
  counts: z.array(count),
  negatives: z.optional(z.array(count)),
  ...(Object.fromEntries(ALPHA_SCHEMES.map((s) => [s, estimates])) as Record<AlphaScheme, typeof estimates>),
});

/** Saved alphas, as written by `focal-eval alphas --out`. */
export type SavedAlphas = z.infer<typeof SavedAlphasSchema>;

/** The saved form of a run's estimates. */
export function toSavedAlphas(
  estimates: AlphaEstimates,
  mode: SavedAlphas['mode'],
  classNames: readonly string[],
  beta: number,
): SavedAlphas {
  // The conventions and betas are views of the estimates for people, not part of what is saved.
  const saved: AlphaEstimates = { ...estimates };
  delete saved.conventions;
  delete saved.effectiveBeta;
  return { format: 'focal-eval-alphas', version: 1, mode, classNames: [...classNames], beta, ...saved };
}

/** Reads and checks a saved-alphas file; a bad one is a UsageError naming the file. */
export async function readSavedAlphas(path: string): Promise<SavedAlphas> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--alpha-file ${path}: cannot read: ${(error as Error).message}`, 'alphaFile');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--alpha-file ${path}: not JSON`, 'alphaFile');
  }
  const result = SavedAlphasSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(
      `--alpha-file ${path}: not a focal-eval alphas file (version 1): ${issue.path.join('.') || 'file'}: ${issue.message}`,
      'alphaFile',
    );
  }
  const saved = result.data;
  const C = saved.classNames.length;
  const lengths = [saved.counts, saved.negatives ?? saved.counts, ...ALPHA_SCHEMES.map((s) => saved[s])];
  if (lengths.some((a) => a.length !== C)) {
    throw new UsageError(`--alpha-file ${path}: every list must have one entry per class (${C})`, 'alphaFile');
  }
  return saved;
}

/**
 * Alpha from class frequencies, carried from one run to another: estimate the alphas on one dump
 * (`evaluate(...).alphaEstimates`), keep them in the saved-alphas format (`toSavedAlphas`, what
 * `focal-eval alphas --out` writes and `score --alpha-file` reads), and apply them to a second
 * dump with `alpha: "auto"` and `alphaEstimates`: in `evaluate`, and in a `focalStage`, which needs
 * them before its first row goes out.
 *
 * In a project that depends on focal-eval the import is `from 'focal-eval'`; here it is the
 * source, so the example runs without a build. Run:
 *   node --import tsx examples/alphas.ts [from-dump] [to-dump] [scheme]
 * (defaults: test/fixtures/mc_probs_f32.arrow, test/fixtures/mc_logits_f32.arrow, inverse).
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import { ALPHA_SCHEMES, evaluate, focalStage, readSavedAlphas, toSavedAlphas, type AlphaScheme } from '../src/index.ts';

const fixture = (name: string): string => new URL(`../test/fixtures/${name}`, import.meta.url).pathname;

async function main(): Promise<void> {
  const from = process.argv[2] ?? fixture('mc_probs_f32.arrow');
  const to = process.argv[3] ?? fixture('mc_logits_f32.arrow');
  const scheme = (process.argv[4] ?? 'inverse') as AlphaScheme;
  if (!ALPHA_SCHEMES.includes(scheme)) throw new Error(`unknown scheme ${scheme}: one of ${ALPHA_SCHEMES.join(', ')}`);

  // 1. Estimate alphas on the first dump, and save them as `focal-eval alphas --out` would.
  const first = await evaluate(from);
  const saved = toSavedAlphas(first.alphaEstimates, first.mode, first.classes.map((c) => c.name), first.options.beta);
  const dir = await mkdtemp(join(tmpdir(), 'focal-eval-alphas-'));
  try {
    const file = join(dir, 'alphas.json');
    await writeFile(file, JSON.stringify(saved, null, 2) + '\n');

    // 2. Apply them to the second dump: read back (checked), then alpha "auto" with alphaEstimates.
    const alphaEstimates = await readSavedAlphas(file);
    const second = await evaluate(to, { alpha: 'auto', alphaScheme: scheme, alphaEstimates });

    // 3. The same alphas in a stage: it needs them before the first row, so they must be given.
    const stage = focalStage({ alpha: 'auto', alphaScheme: scheme, alphaEstimates, name: to });
    const handle = await open(to, 'r');
    let lossSum = 0;
    try {
      const reader = await RecordBatchReader.from(handle);
      const sink = new Writable({
        objectMode: true,
        write(batch: RecordBatch, _encoding, callback) {
          for (const loss of batch.getChild('focal_loss')!) lossSum += (loss as number | null) ?? 0;
          callback();
        },
      });
      await pipeline(Readable.from(reader), stage, sink);
    } finally {
      await handle.close().catch(() => {}); // apache-arrow may have closed it
    }
    const streamed = await stage.report;

    console.log(`alphas (${scheme}) estimated on ${from}, saved and read back as a focal-eval alphas file, applied to ${to}:`);
    console.log(`  ${'class'.padEnd(12)} ${'count'.padStart(8)} ${'alpha'.padStart(8)} ${'mean loss'.padStart(10)}`);
    second.classes.forEach((c, k) => {
      const alpha = c.alpha === null ? '-' : c.alpha.toFixed(4);
      const mean = c.meanLoss === null ? '-' : c.meanLoss.toFixed(4);
      console.log(`  ${c.name.padEnd(12)} ${String(saved.counts[k]).padStart(8)} ${alpha.padStart(8)} ${mean.padStart(10)}`);
    });
    console.log(`total loss with the saved alphas: ${second.total.sumLoss.toFixed(6)} (evaluate)`);
    console.log(`                                  ${streamed.total.sumLoss.toFixed(6)} (stage report)`);
    console.log(`                                  ${lossSum.toFixed(6)} (sum of the stage's focal_loss column)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`alphas example: ${(error as Error).message}`);
  process.exitCode = 1;
});

/**
 * Mergeable partials: a run scored shard by shard (batch ranges of a file, or files of its batches),
 * the partials written to partial files, read back and merged in order, gives the report of one
 * run over the whole input byte for byte: on every data fixture, with every option set the
 * fixtures' expected reports use. Also: the file's exact round trip, its schema check, and the
 * merge's refusals.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { FocalEvalError } from '../src/errors.ts';
import { evaluate } from '../src/evaluate.ts';
import type { OptionsInput } from '../src/options.ts';
import { decodePartial, encodePartial, readPartialFile } from '../src/partial/file.ts';
import { mergePartials, partialReport } from '../src/partial/merge.ts';
import type { RunPartial } from '../src/partial/partial.ts';
import { parseOptions } from '../src/options.ts';
import { partialOf, scorePartial, type PartialRunOptions } from '../src/partial/score.ts';
import score from '../workers/score.ts';
import { FIXTURES, fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface Case {
  file: string;
  options: OptionsInput;
}

/** Every data fixture (the fuzz corpus aside), with the options its own tests use. */
function cases(): Case[] {
  const typeCases = (JSON.parse(readFileSync(fixture('types/cases.json'), 'utf8')) as { cases: { file: string; options: OptionsInput }[] }).cases;
  const optionsOf = new Map(typeCases.map((c) => [`types/${c.file}`, c.options]));
  const files = ['.', 'types', 'compressed', 'writers'].flatMap((dir) =>
    readdirSync(join(FIXTURES, dir))
      .filter((f) => /\.(arrow|arrows|feather|parquet)$/.test(f))
      .map((f) => relative(FIXTURES, join(FIXTURES, dir, f))),
  );
  const out: Case[] = files.map((file) => ({ file, options: optionsOf.get(file) ?? {} }));
  // The option sets of the expected reports, on the files they go with.
  out.push(
    { file: 'mc_logits_f32.arrow', options: { alpha: 'auto' } },
    { file: 'bin_probs.arrow', options: { alpha: 0.25, histogramBins: 7 } },
    { file: 'ml_logits.arrow', options: { alpha: 'auto', alphaScheme: 'effective', gamma: 0.5 } },
    { file: 'mc_dict_labels.arrow', options: { alpha: 'auto', alphaScheme: 'inverse-sqrt' } },
    { file: 'inv_nan_pred.arrow', options: { onInvalid: 'skip' } },
    { file: 'mc_probs_f32.arrow', options: { alpha: 'auto', alphaScheme: 'median', gamma: 0, histogramBins: 100 } },
    // Gamma sweeps (their sums go through the partial files too).
    { file: 'ml_logits.arrow', options: { alpha: 0.25, gamma: [2, 0, 0.5, 'FLSD-53'] } },
    { file: 'mc_logits_f32.arrow', options: { alpha: 'auto', gamma: [1, 0, 5, 'FLSD-53'] } },
    { file: 'bin_probs.arrow', options: { gamma: ['FLSD-53', 0.5, 3] } },
    // The concentration's fine bins (counts and sums) too.
    { file: 'ml_logits.arrow', options: { alpha: 0.25, concentrationBins: 64 } },
    { file: 'mc_probs_f32.arrow', options: { concentrationBins: 1024, gamma: [2, 5] } },
  );
  return out;
}

/** The partial run through the workers' own code on this thread (the pool's runs are evaluate's, and a few below). */
const inProcess = (file: string, options: OptionsInput, run: PartialRunOptions = {}): Promise<RunPartial> =>
  partialOf(fixture(file), parseOptions(options), { run: ({ task }) => score(task), inFlight: 1 }, run);

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** A partial through its file and back. */
function roundTrip(part: RunPartial, name: string): RunPartial {
  const path = tmp.path(name.replace(/\W/g, '_') + '.partial');
  writeFileSync(path, encodePartial(part));
  return decodePartial(readFileSync(path, 'utf8'), path);
}

describe('scorePartial, mergePartials, partialReport', () => {
  for (const { file, options } of cases()) {
    it(`merge of one-batch shards == one run, byte for byte: ${file} ${JSON.stringify(options)}`, async () => {
      const opts = { ...options, threads: 1 };
      const single = await evaluate(fixture(file), opts).then(json, (e: unknown) => e);
      if (!(typeof single === 'string')) {
        // An input the run refuses: the partial run refuses it with the same error.
        await expect(inProcess(file, opts)).rejects.toMatchObject({ code: (single as FocalEvalError).code });
        return;
      }
      let batches = 0;
      const whole = await inProcess(file, opts, { onBatch: (n) => (batches = n) });
      expect(json(partialReport(roundTrip(whole, `${file}-whole`)))).toBe(single);
      const shards: RunPartial[] = [];
      for (let b = 0; b < batches; b++) {
        shards.push(roundTrip(await inProcess(file, opts, { batches: { start: b, end: b + 1 } }), `${file}-${b}`));
      }
      const merged = mergePartials(shards);
      expect(json(partialReport(merged))).toBe(single);
      // The shards hold the whole run's batch sums, bit for bit, in order.
      expect(Buffer.from(merged.sums.buffer).equals(Buffer.from(whole.sums.buffer))).toBe(true);
      // Merged in two halves first (merge of merges), at every split point.
      for (let k = 1; k < batches; k++) {
        const halves = [mergePartials(shards.slice(0, k)), mergePartials(shards.slice(k))].map((p, i) => roundTrip(p, `${file}-h${k}-${i}`));
        expect(json(partialReport(mergePartials(halves)))).toBe(single);
      }
    });
  }

  it('merges files that hold a fixture batch each (a dictionary label in each) into the whole file`s report', async () => {
    for (const file of ['mc_dict_labels.arrow', 'ml_logits.arrow', 'bin_probs.arrow']) {
      const options: OptionsInput = { alpha: 'auto', threads: 1 };
      const table = tableFromIPC(readFileSync(fixture(file)));
      const parts: RunPartial[] = [];
      for (const [i, batch] of table.batches.entries()) {
        const path = tmp.write(`${file}.shard${i}.arrow`, tableToIPC(new Table([batch]), 'file'));
        parts.push(await scorePartial(path, options));
      }
      expect(parts.length).toBeGreaterThan(2);
      expect(json(partialReport(mergePartials(parts)))).toBe(json(await evaluate(fixture(file), options)));
    }
  });

  it('adds sums in the order given: shards merged out of order give a different report, not a silently equal one', async () => {
    const opts = { threads: 1 };
    const parts = await Promise.all([0, 1, 2, 3, 4].map((b) => inProcess('mc_logits_f32.arrow', opts, { batches: { start: b, end: b + 1 } })));
    const inOrder = partialReport(mergePartials(parts));
    const reversed = partialReport(mergePartials([...parts].reverse()));
    // Counts are order-free; the float sums agree to rounding, and their bits show the order.
    expect(reversed.total.count).toBe(inOrder.total.count);
    expect(reversed.total.sumCE).toBeCloseTo(inOrder.total.sumCE, 9);
    expect(reversed.classes.map((c) => c.sumFL)).not.toEqual(inOrder.classes.map((c) => c.sumFL));
  });

  it('a range reads to the end of the input when its end is past the last batch', async () => {
    const opts = { threads: 1 };
    const tail = await scorePartial(fixture('bin_probs.arrow'), opts, { batches: { start: 3, end: 1000 } });
    expect(tail.pieces).toBe(2);
    expect(tail.inputs).toEqual([`${fixture('bin_probs.arrow')}[3:1000]`]);
  });

  it('a range that starts past the last batch, or is empty, is a usage error naming it', async () => {
    await expect(scorePartial(fixture('bin_probs.arrow'), { threads: 1 }, { batches: { start: 5, end: 6 } })).rejects.toThrow(
      /bin_probs\.arrow: batches 5\.\.5: the input has 5 batches/,
    );
    await expect(scorePartial(fixture('bin_probs.arrow'), {}, { batches: { start: 2, end: 2 } })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('an invalid row in a range is located by the file, its batch in the file and its row', async () => {
    const run = scorePartial(fixture('inv_nan_pred.arrow'), { threads: 1 }, { batches: { start: 1, end: 3 } });
    await expect(run).rejects.toMatchObject({ code: 'E_DATA', location: { batch: 1, row: 5, globalRow: 5 } });
    await expect(run).rejects.toThrow(/inv_nan_pred\.arrow \(batches 1\.\.2\): invalid row 5 \(batch 1, row 5\), column "logits"/);
  });
});

describe('the partial file', () => {
  const synthetic = async (): Promise<RunPartial> => inProcess('bin_probs.arrow', { histogramBins: 3 });

  it('keeps every bit of every float64: -0, subnormals, the largest double', async () => {
    const part = await synthetic();
    const special = [-0, 5e-324, Number.MAX_VALUE, 0.1 + 0.2, -1e-300, 2 ** -1074 * 3];
    part.sums.set(special, 0);
    const back = decodePartial(encodePartial(part), 'x.partial');
    expect(Buffer.from(back.sums.buffer).equals(Buffer.from(part.sums.buffer))).toBe(true);
    expect(Object.is(back.sums[0], -0)).toBe(true);
    expect(back.counts).toEqual(part.counts);
    expect(back.plan).toEqual(part.plan);
  });

  it('rejects what is not a partial file with an E_INPUT error naming the file and the field', async () => {
    const good = JSON.parse(encodePartial(await synthetic())) as Record<string, unknown>;
    const bad = (change: Record<string, unknown>) => JSON.stringify({ ...good, ...change });
    const cases: [string, RegExp][] = [
      ['{', /p\.partial: not a focal-eval partial file \(version 2\): not JSON/],
      [bad({ version: 3 }), /version: /],
      [bad({ version: 1 }), /p\.partial: a focal-eval partial file of version 1, written before the numerical-health counts \(version 2\): score its inputs again/],
      [bad({ sums: (good.sums as string).slice(0, -8) }), /sums: \d+ bytes of base64, expected \d+/],
      [bad({ sums: '!!!!' }), /sums: /],
      [bad({ counts: (good.counts as number[]).map((c, i) => (i === 0 ? c + 0.5 : c)) }), /counts\.0: /],
      [bad({ counts: [1, 2] }), /counts: 2 values, expected/],
      [bad({ groups: 3 }), /groups 3 and bins 3 do not fit the plan \(2 and 3\)/],
      [bad({ options: { gamma: -1 } }), /options: gamma: /],
      [bad({ plan: { ...(good.plan as object), mode: 'ranking' } }), /plan\.mode: /],
    ];
    for (const [text, message] of cases) {
      expect(() => decodePartial(text, 'p.partial')).toThrow(message);
      expect(() => decodePartial(text, 'p.partial')).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
    }
    await expect(readPartialFile(tmp.path('missing.partial'))).rejects.toThrow(/missing\.partial: cannot read/);
  });
});

describe('mergePartials refuses partials that cannot be one run', () => {
  const file = 'mc_dict_labels.arrow';
  const part = (options: OptionsInput, batches = { start: 0, end: 1 }) => inProcess(file, options, { batches });

  it('with different options, naming the option and both values', async () => {
    const a = await part({});
    for (const [options, why] of [
      [{ gamma: 1 }, 'option gamma 1 here, 2 there'],
      [{ histogramBins: 10 }, 'option histogramBins 10 here, 20 there'],
      [{ alpha: 'auto' }, 'option alpha "auto" here, null there'],
      [{ epsilon: 1e-6 }, 'option epsilon 0.000001 here, 1e-7 there'],
      [{ onInvalid: 'skip' }, 'option onInvalid "skip" here, "error" there'],
    ] as [OptionsInput, string][]) {
      const b = await part(options, { start: 1, end: 2 });
      expect(() => mergePartials([a, b], ['a.partial', 'b.partial'])).toThrow(`b.partial: cannot be merged with a.partial: ${why}`);
    }
  });

  it('with a different plan: class names, mode', async () => {
    const a = await part({});
    const reversed = (await evaluate(fixture(file), { threads: 1 })).classes.map((c) => c.name).reverse();
    const renamed = await part({ classNames: reversed });
    expect(() => mergePartials([a, renamed], ['a.partial', 'b.partial'])).toThrow(
      /b\.partial: cannot be merged with a\.partial: class names \["boat",.*\] here, \["background",.*\] there \(pass the same --class-names to every shard\)/,
    );
    const binary = await inProcess('bin_probs.arrow', {});
    expect(() => mergePartials([a, binary], ['a.partial', 'b.partial'])).toThrow(/mode "binary" here, "multiclass" there/);
    expect(() => mergePartials([])).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

/**
 * The command line: a thin layer over the library. `score` prints the report (table or JSON),
 * `alphas` the alpha estimates; messages go to stderr, and the exit status says what went wrong:
 * 0 success, 1 bad data or input, 2 bad usage or options.
 */
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { readSavedAlphas, toSavedAlphas } from '../alpha/saved.ts';
import { parseCommand, usage, type Command } from './args.ts';
import { abortErrorOf, DataError, exitStatusOf, FocalEvalError, UsageError } from '../errors.ts';
import { onInterrupt, signalStatus, type Interrupt } from './interrupt.ts';
import { releaseWarmPool } from '../pool/pool.ts';
import { evaluate, evaluateWith, type RunSignal } from '../evaluate.ts';
import { ROWS } from '../kernel/partial.ts';
import { colourEnabled, Progress, progressEnabled } from './progress.ts';
import { PACKAGE_JSON_URL } from '../paths.ts';
import type { OptionsInput } from '../options.ts';
import { renderAlphaTable } from './table.ts';
import type { Report } from '../report/schema.ts';
import { encodePartial } from '../partial/file.ts';
import { partialReport } from '../partial/merge.ts';
import { scorePartial } from '../partial/score.ts';
import { runMerge } from './merge.ts';
import { checkOutputs, writeAtomically, writeOut, writeReport } from './write.ts';
import { checkTopOut } from './topOut.ts';

/** Runs the CLI on argv (without node and the script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await run(argv);
  } finally {
    await releaseWarmPool();
  }
}

async function run(argv: readonly string[]): Promise<number> {
  // Output piped into a reader that stops early (`| head`): stop quietly, as Unix tools do.
  // A stage pipeline that fails destroys stdout with the run's own error (a FocalEvalError, an
  // abort's too): the run reports it, not this handler.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && !(error instanceof FocalEvalError)) throw error;
  });
  let cmd: Command;
  try {
    cmd = parseCommand(argv);
  } catch (error) {
    return fail(error, undefined);
  }
  if (cmd.command === 'help') {
    process.stdout.write(usage());
    return argv.length === 0 ? 2 : 0;
  }
  if (cmd.command === 'version') {
    const pkg = JSON.parse(readFileSync(PACKAGE_JSON_URL, 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  try {
    // Before anything is read: no output may overwrite an input, or lie in a folder that is not there.
    const inputs = cmd.command === 'merge' ? cmd.files : cmd.command === 'cluster' ? [] : [cmd.file];
    checkOutputs(inputs, [
      ['--out', cmd.out],
      ['--emit', cmd.emit],
      ['--partial', cmd.partial],
      ['--html', cmd.html],
      ['--top-out', cmd.topOut],
    ]);
    if (cmd.command !== 'merge') checkTopOut(cmd.topOut, cmd.options.top);
    if (cmd.topOut !== undefined && cmd.partial !== undefined) throw new UsageError('--top-out goes with the report, not with --partial', 'topOut');
  } catch (error) {
    return fail(error, undefined);
  }
  // With --emit - the Arrow stream takes stdout, so the report goes to --out or stderr.
  const stdoutTaken = cmd.emit === '-' || cmd.partial === '-';
  const format = cmd.format ?? (process.stdout.isTTY && cmd.out === undefined && !stdoutTaken ? 'table' : 'json');
  // The cluster worker handles its signals itself (it finishes the shard in hand).
  const interrupt = cmd.command === 'cluster' ? null : onInterrupt();
  try {
    return await runCommand(cmd, format, stdoutTaken, interrupt);
  } catch (error) {
    const received = interrupt?.received();
    if (received) {
      // Whatever failed, it failed because the run was stopped: one line, the signal's status.
      process.stderr.write(`focal-eval: stopped by ${received}\n`);
      return signalStatus(received);
    }
    return fail(error, stdoutTaken ? undefined : format);
  } finally {
    interrupt?.dispose();
  }
}

async function runCommand(cmd: Command, format: 'table' | 'json', stdoutTaken: boolean, interrupt: Interrupt | null): Promise<number> {
  const signal = interrupt?.signal;
  /** Before a result goes out: a run stopped meanwhile writes nothing more. */
  const checkpoint = (): void => {
    if (signal?.aborted) throw abortErrorOf(signal);
  };
  if (cmd.command === 'merge') return await runMerge(cmd, format);
  // Loaded only here: BullMQ and ioredis are for the cluster commands alone.
  if (cmd.command === 'cluster') return await (await import('./cluster.ts')).runCluster(cmd, format);
  if (cmd.command !== 'score' && (cmd.partial !== undefined || cmd.batches !== undefined)) {
    throw new UsageError(`--${cmd.partial !== undefined ? 'partial' : 'batches'} goes with score (or merge), not ${cmd.command}`);
  }
  const options = withHtmlBlocks(cmd, await withAlphaFile(cmd));
  if (cmd.command === 'alphas') {
    if (cmd.emit !== undefined) throw new UsageError('--emit goes with score, not alphas', 'emit');
    if (cmd.html !== undefined) throw new UsageError('--html goes with score or merge, not alphas', 'html');
    const report = await evaluate(cmd.file, { ...options, signal });
    checkpoint();
    const names = report.classes.map((c) => c.name);
    if (cmd.out !== undefined && cmd.out !== '-') {
      // A file gets the carryable format (estimates plus class names and version), for --alpha-file.
      const saved = toSavedAlphas(report.alphaEstimates, report.mode, names, report.options.beta);
      await writeAtomically(cmd.out, (path) => writeFile(path, JSON.stringify(saved, null, 2) + '\n'));
    } else {
      process.stdout.write(
        format === 'json' ? JSON.stringify(report.alphaEstimates, null, 2) + '\n' : renderAlphaTable(report.alphaEstimates, names),
      );
    }
    return 0;
  }
  if (cmd.partial !== undefined || cmd.batches !== undefined) {
    if (cmd.emit !== undefined) throw new UsageError(`--emit cannot go with --${cmd.partial !== undefined ? 'partial' : 'batches'}`, 'emit');
    if (cmd.partial !== undefined && cmd.html !== undefined) throw new UsageError('--html needs a report: it cannot go with --partial', 'html');
    const part = await scorePartial(cmd.file, options, { batches: cmd.batches, signal });
    checkpoint();
    if (cmd.partial === undefined) await writeReport(partialReport(part), format, cmd);
    else await writeOut(encodePartial(part), cmd.partial);
    return 0;
  }
  const report = cmd.emit === undefined ? await scoreWithProgress(cmd, { ...options, signal }) : await emit(cmd, options, signal);
  checkpoint();
  await writeReport(report, format, { out: cmd.out, html: cmd.html, topOut: cmd.topOut, toStderr: stdoutTaken });
  return 0;
}

/** evaluate, with the progress line on stderr where it is wanted (progress.ts). */
async function scoreWithProgress(cmd: Command, options: OptionsInput & RunSignal): Promise<Report> {
  if (!progressEnabled({ isTTY: process.stderr.isTTY === true, env: process.env, quiet: cmd.quiet })) return evaluate(cmd.file, options);
  const stat = cmd.file === '-' ? undefined : statSync(cmd.file, { throwIfNoEntry: false });
  const progress = new Progress(process.stderr, stat?.isFile() ? stat.size : null, colourEnabled(process.env));
  try {
    return await evaluateWith(cmd.file, options, {
      onStart: ({ batches }) => progress.start(batches),
      onMerged: (partial) => progress.rows(partial[ROWS]!),
      onBatch: () => progress.batch(),
    });
  } finally {
    progress.end();
  }
}

/** Fine p_t bins --html asks for when the command line gives none (docs/semantics.md bounds the error they leave). */
const HTML_CONCENTRATION_BINS = 1024;

/**
 * --html draws the reliability diagram and the concentration curve: a score that writes the page
 * computes their blocks too (calibration, 1024 fine bins), unless the command line sets them.
 * Not with --emit: the per-row stage computes neither (the page has a note in their place).
 */
function withHtmlBlocks(cmd: Command, options: OptionsInput): OptionsInput {
  if (cmd.html === undefined || cmd.command !== 'score' || cmd.emit !== undefined) return options;
  return { calibration: true, concentrationBins: HTML_CONCENTRATION_BINS, ...options };
}

/** Applies --alpha-file: saved estimates, used under alpha "auto" (the default once a file is given). */
async function withAlphaFile(cmd: Command): Promise<OptionsInput> {
  if (cmd.alphaFile === undefined) return cmd.options;
  const alpha = cmd.options.alpha;
  if (alpha !== undefined && alpha !== 'auto') {
    throw new UsageError('--alpha-file applies saved estimates: it goes with --alpha auto (or no --alpha)', 'alphaFile');
  }
  return { ...cmd.options, alpha: 'auto', alphaEstimates: await readSavedAlphas(cmd.alphaFile) };
}

/**
 * score --emit: the input's batches with loss columns appended, as an Arrow IPC stream. Under
 * alpha "auto" the counts must be known before the first row goes out: a file is read twice,
 * stdin cannot be.
 */
async function emit(cmd: Command, options: OptionsInput, signal: AbortSignal | undefined): Promise<Report> {
  let opts = options;
  if (opts.alpha === 'auto' && opts.alphaEstimates === undefined) {
    if (cmd.file === '-') {
      throw new UsageError(
        '--alpha auto with --emit needs the class counts before the first row goes out, and stdin cannot be read twice: ' +
          'save them first with `focal-eval alphas FILE --out alphas.json` and pass --alpha-file alphas.json',
        'alpha',
      );
    }
    const first = await evaluate(cmd.file, { ...opts, signal });
    const names = first.classes.map((c) => c.name);
    opts = { ...opts, alphaEstimates: toSavedAlphas(first.alphaEstimates, first.mode, names, first.options.beta) };
  }
  // Loaded here: the stage needs apache-arrow, which plain scoring of an IPC file does without.
  const { emitScored } = await import('../stage/emit.ts');
  if (cmd.emit === '-') return emitScored(cmd.file, process.stdout, { ...opts, signal });
  let report: Report | undefined;
  await writeAtomically(cmd.emit!, async (path) => {
    report = await emitScored(cmd.file, createWriteStream(path), { ...opts, signal });
  });
  return report!;
}

/** Prints an error on stderr (and, for data errors under --format json, its location on stdout). */
function fail(error: unknown, format: 'table' | 'json' | undefined): number {
  const systemCode = (error as NodeJS.ErrnoException)?.code;
  // A reader that stopped reading (`| head`) is a normal end, not an error.
  if (systemCode === 'EPIPE') return 0;
  let status = exitStatusOf(error);
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) message = message.replace(/^option (\w+)/, (_, name: string) => `--${kebab(name)}`);
  // An output that cannot be written (ENOENT, EACCES, ENOSPC...) is the environment's, not a bug.
  else if (!(error instanceof FocalEvalError) && typeof systemCode === 'string') message = `cannot write the output: ${message}`;
  else if (!(error instanceof FocalEvalError)) {
    message = `internal error: ${(error as Error)?.stack ?? message}`;
    status = 2;
  }
  process.stderr.write(`focal-eval: ${message}\n`);
  if (error instanceof UsageError) process.stderr.write(`run "focal-eval --help" for usage\n`);
  if (format === 'json' && error instanceof DataError) {
    const { file, batch, row, globalRow, column, value, reason } = error.location;
    const body = { schemaVersion: 1, error: { code: error.code, file, batch, row, globalRow, column, reason, value: jsonValue(value) } };
    process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  }
  return status;
}

/** A value JSON can hold: NaN and infinities as text, and a 64-bit label beyond 2^53 as its exact digits. */
function jsonValue(value: unknown): unknown {
  return (typeof value === 'number' && !Number.isFinite(value)) || typeof value === 'bigint' ? String(value) : value;
}

/** The flag of a library option (saved estimates arrive through --alpha-file). */
function kebab(name: string): string {
  return name === 'alphaEstimates' ? 'alpha-file' : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

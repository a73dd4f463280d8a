/**
 * The command line: a thin layer over the library. `score` prints the report (table or JSON),
 * `alphas` the alpha estimates; messages go to stderr, and the exit status says what went wrong:
 * 0 success, 1 bad data or input, 2 bad usage or options.
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { parseCommand, type Command } from './args.ts';
import { DataError, exitStatusOf, FocalEvalError, UsageError } from './errors.ts';
import { evaluate } from './evaluate.ts';
import { renderAlphaTable, renderReportTable } from './render/table.ts';

const USAGE = `focal-eval: focal loss over Arrow prediction dumps

usage:
  focal-eval score <file | -> [options]    per-class focal loss, easy/hard split, alpha estimates
  focal-eval alphas <file | -> [options]   alpha estimates from the class frequencies

data options (library option in brackets):
  --mode binary|multiclass|multilabel      (mode; default: from the column types)
  --input probs|logits                     (input; default: logits when the column name starts with "logit")
  --label COL  --pred COL                  (label, pred; default: label, and the first of probs, prob, logits, logit)
  --class-names a,b,c                      (classNames)
  --gamma G                                (gamma, default 2)
  --alpha none|auto|A|a0,a1,...            (alpha, default none)
  --alpha-scheme inverse|balanced|inverse-sqrt|effective|median   (alphaScheme, default inverse)
  --beta B  --epsilon E  --easy-threshold T  --ignore-index I  --histogram-bins K
  --on-invalid error|skip                  (onInvalid, default error)
  --threads N                              (threads, default: one per core)

output:
  --format table|json                      default: table on a terminal, json otherwise
  --out FILE                               write the output to FILE instead of stdout
`;

/** Runs the CLI on argv (without node and the script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommand(argv);
  } catch (error) {
    return fail(error, undefined);
  }
  if (cmd.command === 'help') {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  if (cmd.command === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const format = cmd.format ?? (process.stdout.isTTY && cmd.out === undefined ? 'table' : 'json');
  try {
    if (cmd.emit !== undefined || cmd.alphaFile !== undefined) {
      throw new UsageError(`${cmd.emit !== undefined ? '--emit' : '--alpha-file'} is not available in this version`);
    }
    const report = await evaluate(cmd.file, cmd.options);
    let text: string;
    if (cmd.command === 'alphas') {
      text =
        format === 'json'
          ? JSON.stringify(report.alphaEstimates, null, 2) + '\n'
          : renderAlphaTable(report.alphaEstimates, report.classes.map((c) => c.name));
    } else {
      text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderReportTable(report);
    }
    await writeOutput(text, cmd.out);
    return 0;
  } catch (error) {
    return fail(error, format);
  }
}

/** Writes to stdout, or to a file through a temporary name so a failed run never leaves a whole-looking file. */
async function writeOutput(text: string, out: string | undefined): Promise<void> {
  if (out === undefined || out === '-') {
    process.stdout.write(text);
    return;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, out);
}

/** Prints an error on stderr (and, for data errors under --format json, its location on stdout). */
function fail(error: unknown, format: 'table' | 'json' | undefined): number {
  const status = exitStatusOf(error);
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) message = message.replace(/^option (\w+)/, (_, name: string) => `--${kebab(name)}`);
  if (!(error instanceof FocalEvalError)) message = `internal error: ${(error as Error)?.stack ?? message}`;
  process.stderr.write(`focal-eval: ${message}\n`);
  if (status === 2) process.stderr.write(`run "focal-eval --help" for usage\n`);
  if (format === 'json' && error instanceof DataError) {
    const { file, batch, row, globalRow, column, value, reason } = error.location;
    const body = { schemaVersion: 1, error: { code: error.code, file, batch, row, globalRow, column, reason, value: jsonValue(value) } };
    process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  }
  return status;
}

function jsonValue(value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

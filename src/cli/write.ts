/**
 * Where the CLI's results go: a file written under a temporary name and renamed when complete, or
 * stdout. Shared by score, merge and cluster.
 */
import { rmSync, statSync, type Stats } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AbortError, UsageError } from '../errors.ts';
import type { Report } from '../report/schema.ts';
import { renderReportTable } from './table.ts';
import { topOutText } from './topOut.ts';

/** The temporary files being written now, for cancelWrites. */
const inProgress = new Set<string>();
let cancelled = false;

/**
 * Writes a file under a temporary name and renames it when complete, so that an interrupted or
 * failed run never leaves a file that looks whole under the final name.
 */
export async function writeAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  // A device, FIFO or socket (/dev/null, /dev/full, a named pipe) is written as it is: a rename
  // would put a plain file in its place.
  const existing = statOf(path);
  if (existing && !existing.isFile()) return write(path);
  if (cancelled) throw new AbortError(`${path}: not written: the run was stopped`);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  inProgress.add(tmp);
  try {
    await write(tmp);
    if (cancelled) throw new AbortError(`${path}: not written: the run was stopped`);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw named(error, tmp, path);
  } finally {
    inProgress.delete(tmp);
  }
}

/** Codes of a folder that takes no new file. */
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/** A system error about the temporary file, told about the output the user named instead. */
function named(error: unknown, tmp: string, path: string): unknown {
  const system = error as NodeJS.ErrnoException;
  if (typeof system?.code !== 'string' || system.path !== tmp) return error;
  const reason = NOT_WRITABLE.has(system.code) ? `its folder ${dirname(path)} takes no new file` : system.message.split(',')[0];
  const renamed: NodeJS.ErrnoException = new Error(`${path}: ${reason} (${system.code})`, { cause: error });
  renamed.code = system.code;
  return renamed;
}

/**
 * Removes every file writeAtomically is writing, at once (the CLI's signal handler calls it), and
 * makes every write after it fail: nothing more is renamed into place, so each final name keeps
 * what it held before the run (an old file its old content).
 */
export function cancelWrites(): void {
  cancelled = true;
  for (const tmp of inProgress) rmSync(tmp, { force: true });
}

/** Text to `out` (a file, atomically) or, without one or with `-`, to stdout. */
export async function writeOut(text: string, out: string | undefined): Promise<void> {
  if (out !== undefined && out !== '-') await writeAtomically(out, (path) => writeFile(path, text));
  else process.stdout.write(text);
}

/** Prints the report's warnings on stderr, one a line, each prefixed `warning: `. */
export function printWarnings(report: Report): void {
  for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
}

/** A report as the format asks: the JSON of spec §4, or the table for people. */
export function reportText(report: Report, format: 'table' | 'json'): string {
  return format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderReportTable(report);
}

/**
 * A report's outputs: its text (as `format` asks) to `out`, stdout, or with `toStderr` to stderr;
 * and with `html` the page. The page is rendered before anything is written, so a render that
 * fails leaves no output behind. The renderer is imported here, only then: it brings vega and
 * vega-lite, which no other run loads.
 */
export async function writeReport(
  report: Report,
  format: 'table' | 'json',
  { out, html, topOut, toStderr = false }: { out: string | undefined; html: string | undefined; topOut?: string | undefined; toStderr?: boolean },
): Promise<void> {
  const page = html === undefined ? undefined : await (await import('../render/html.ts')).renderHtml(report);
  const text = reportText(report, format);
  if (toStderr && (out === undefined || out === '-')) process.stderr.write(text);
  else await writeOut(text, out);
  if (page !== undefined) await writeOut(page, html);
  if (topOut !== undefined) await writeOut(topOutText(report, topOut), topOut);
  printWarnings(report);
}

function statOf(path: string): Stats | undefined {
  return statSync(path, { throwIfNoEntry: false });
}

/**
 * Refuses, before any input is read, an output that cannot be right: one that is an input file
 * itself (the same file, by device and inode, whatever the path says) or names the same file as
 * another output (usage errors), a directory, or in a folder that does not exist (errors of the
 * environment, as a write that fails is: exit 1). `outputs` are [flag, path] pairs; '-' (stdout)
 * and unset pass.
 */
export function checkOutputs(inputs: readonly string[], outputs: readonly [string, string | undefined][]): void {
  const files = inputs.filter((p) => p !== '-').map((p) => ({ path: p, stat: statOf(p) }));
  const seen: { flag: string; out: string; stat: Stats | undefined }[] = [];
  for (const [flag, out] of outputs) {
    if (out === undefined || out === '-') continue;
    const stat = statOf(out);
    if (stat?.isDirectory()) throw outputError('EISDIR', `${flag} ${out} is a directory: name a file`);
    const input = files.find((f) => sameFile(f.stat, stat));
    if (input) throw new UsageError(`${flag} ${out} is the input ${input.path}: refusing to overwrite it`);
    const folder = dirname(out);
    if (!statOf(folder)?.isDirectory()) throw outputError('ENOENT', `${flag} ${out}: the folder ${folder} does not exist`);
    const earlier = seen.find((s) => s.out === out || sameFile(s.stat, stat));
    if (earlier) throw new UsageError(`${earlier.flag} and ${flag} name the same file ${earlier.out}`);
    seen.push({ flag, out, stat });
  }
}

/** Whether two paths' stats are one regular file (by device and inode). */
function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  return a !== undefined && b !== undefined && a.isFile() && b.isFile() && a.dev === b.dev && a.ino === b.ino;
}

/** An error of the environment, shaped as Node's I/O errors are (the CLI reports those as outputs that cannot be written). */
function outputError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * Where the CLI's results go: a file written under a temporary name and renamed when complete, or
 * stdout. Shared by score, merge and cluster.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Report } from '../report/schema.ts';
import { renderReportTable } from './table.ts';

/**
 * Writes a file under a temporary name and renames it when complete, so that an interrupted or
 * failed run never leaves a file that looks whole under the final name.
 */
export async function writeAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Text to `out` (a file, atomically) or, without one or with `-`, to stdout. */
export async function writeOut(text: string, out: string | undefined): Promise<void> {
  if (out !== undefined && out !== '-') await writeAtomically(out, (path) => writeFile(path, text));
  else process.stdout.write(text);
}

/** A report as the format asks: the JSON of spec §4, or the table for people. */
export function reportText(report: Report, format: 'table' | 'json'): string {
  return format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderReportTable(report);
}

/**
 * `focal-eval merge A.partial B.partial ...`: the report of one run over the partials' inputs in
 * the order given, or with --partial the merged partial state (for a merge of merges).
 */
import { UsageError } from '../errors.ts';
import { encodePartial, readPartialFile } from '../partial/file.ts';
import { mergePartials, partialReport } from '../partial/merge.ts';
import type { Command } from './args.ts';
import { writeOut, writeReport } from './write.ts';

/** Runs merge; resolves to the exit status (errors reject, for cli.ts to print). */
export async function runMerge(cmd: Command, format: 'table' | 'json'): Promise<number> {
  if (Object.keys(cmd.options).length > 0 || cmd.emit !== undefined || cmd.alphaFile !== undefined || cmd.batches !== undefined) {
    throw new UsageError('merge takes the options the partials were scored with: only --partial, --format, --out and --html go with it');
  }
  if (cmd.partial !== undefined && cmd.html !== undefined) throw new UsageError('--html needs a report: it cannot go with --partial', 'html');
  const parts = [];
  for (const file of cmd.files) parts.push(await readPartialFile(file));
  const merged = mergePartials(parts, cmd.files);
  if (cmd.topOut !== undefined && merged.extras?.hardest == null) {
    throw new UsageError('--top-out writes the hardest units, and the partials were scored without --top', 'topOut');
  }
  if (cmd.partial !== undefined) await writeOut(encodePartial(merged), cmd.partial);
  else await writeReport(partialReport(merged), format, cmd);
  return 0;
}

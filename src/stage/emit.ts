/**
 * Scoring with the stage from an input to an Arrow IPC stream: the input's batches, each with
 * its loss columns appended, written to a Node Writable, with the report at the end. What
 * `score --emit` runs; the file handling (temporary name, rename) is the caller's.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ipcStreamEncoder } from './ipcStreamEncoder.ts';
import { focalStage } from './stage.ts';
import { parseOptions, type OptionsInput } from '../options.ts';
import type { Report } from '../report/schema.ts';
import { openInput, type InputSource } from '../input/open.ts';

/** Streams `source` through a stage into `out` as an Arrow IPC stream; resolves to the report. */
export async function emitScored(source: InputSource, out: Writable, options: OptionsInput): Promise<Report> {
  // `out` can fail before the pipeline takes it over (a file stream whose open fails does so at
  // once): hold its error until then, so that it rejects this call instead of going unhandled.
  let outError: Error | undefined;
  const holdError = (error: Error): void => {
    outError ??= error;
  };
  out.on('error', holdError);
  try {
    const input = await openInput(source, parseOptions(options).inputFormat);
    try {
      if (outError) throw outError;
      const stage = focalStage({ ...options, name: input.name });
      await pipeline(Readable.from(input.batches()), stage, ipcStreamEncoder(), out);
      return await stage.report;
    } finally {
      await input.close();
    }
  } finally {
    out.off('error', holdError);
  }
}

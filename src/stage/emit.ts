/**
 * Scoring with the stage from an input to an Arrow IPC stream: the input's batches, each with
 * its loss columns appended, written to a Node Writable, with the report at the end. What
 * `score --emit` runs; the file handling (temporary name, rename) is the caller's.
 */
import { open } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { emitIpcFile } from './fileEmit.ts';
import { maxBatchBytesOf, parseOptions, type OptionsInput } from '../options.ts';
import { raceAbort } from '../abortable.ts';
import { abortErrorOf } from '../errors.ts';
import type { RunSignal } from '../evaluate.ts';
import { refuseExtrasInStage } from '../report/extras.ts';
import type { Report } from '../report/schema.ts';
import { openInput, type InputSource } from '../input/open.ts';
import { isIpcFileMagic } from '../input/ipc/fileCheck.ts';

/** Whether a path is an Arrow IPC file (by its magic), whose batches the workers read themselves. */
async function isIpcFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return isIpcFileMagic(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Streams `source` through a stage into `out` as an Arrow IPC stream; resolves to the report. An
 * abort (`signal`) stops it before the end-of-stream marker is written, and rejects with an AbortError.
 */
export async function emitScored(source: InputSource, out: Writable, options: OptionsInput & RunSignal): Promise<Report> {
  // `out` can fail before the pipeline takes it over (a file stream whose open fails does so at
  // once): hold its error until then, so that it rejects this call instead of going unhandled.
  let outError: Error | undefined;
  const holdError = (error: Error): void => {
    outError ??= error;
  };
  out.on('error', holdError);
  try {
    const { signal, ...rest } = options;
    const opts = parseOptions(rest);
    refuseExtrasInStage(opts);
    if (signal?.aborted) throw abortErrorOf(signal);
    const input = await raceAbort(openInput(source, opts.inputFormat, undefined, { maxBatchBytes: maxBatchBytesOf(opts) }), signal);
    try {
      if (outError) throw outError;
      // An IPC file the workers can read and pass through: read once, written without copies.
      if (typeof source === 'string' && source !== '-' && opts.inputFormat !== 'parquet' && (await isIpcFile(source))) {
        const report = await emitIpcFile(source, input, out, opts, signal);
        if (report !== null) return report;
      }
      // Loaded here: the file path above needs apache-arrow only later, and off its critical path.
      const [{ focalStage }, { ipcStreamEncoder }] = await Promise.all([import('./stage.ts'), import('./ipcStreamEncoder.ts')]);
      const stage = focalStage({ ...rest, name: input.name, signal });
      try {
        await pipeline(Readable.from(input.batches()), stage, ipcStreamEncoder(), out);
      } catch (error) {
        if (signal?.aborted) throw abortErrorOf(signal);
        throw error;
      }
      return await stage.report;
    } finally {
      if (signal?.aborted) input.close().catch(() => {});
      else await input.close();
    }
  } finally {
    out.off('error', holdError);
  }
}

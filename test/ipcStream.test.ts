/**
 * The lean IPC stream reader (src/input/ipcStream.ts) on streams pyarrow wrote: each record batch
 * goes to a worker as its message and its body, the body's own buffer transferred; the stream is
 * read to its end whatever the chunks it arrives in (a body inside a chunk, across chunks, the
 * whole stream in one), with every body transferred away as it is handed on; dictionary batches
 * (and deltas) of a column not scored are stepped over; a cut stream is an error naming where.
 * (test/types.test.ts holds each stream fixture's report to its plain twin's, through the reader
 * its cases.json names: the lean one, or apache-arrow for a dictionary label or a view type.)
 */
import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';
import { openInput } from '../src/input/open.ts';
import { makePlan, planNeeds } from '../src/input/plan.ts';
import { parseOptions } from '../src/options.ts';
import { fixture } from './support/fixtures.ts';

const typed = (name: string): string => fixture(`types/${name}`);

/** The bytes of a file as Buffer chunks of `size` bytes (Buffers, as fs and stdin hand them out). */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield Buffer.from(bytes.subarray(at, at + size));
}

/** Every batch reference of a stream read from `source`, each body transferred away as it comes. */
async function refsOf(source: AsyncIterable<Uint8Array>): Promise<{ kinds: string[]; bodies: number }> {
  const input = await openInput('-', 'auto', source);
  const opts = parseOptions({});
  const needs = planNeeds(input.schema, opts);
  const plan = makePlan(input.schema, opts, needs.batches ? await input.planBatches(needs.widthColumn, needs.dictionaryColumn) : null, input.name);
  const { port1, port2 } = new MessageChannel();
  const kinds: string[] = [];
  let bodies = 0;
  try {
    for await (const item of input.batchRefs(plan)) {
      kinds.push(item.batch.kind);
      if (item.batch.kind === 'ipc-body') {
        const { body } = item.batch;
        expect(item.transferList).toEqual([body.buffer]);
        expect(body.byteOffset).toBe(0);
        expect(body.byteLength).toBe(body.buffer.byteLength);
        bodies += 1;
        port1.postMessage(null, item.transferList as ArrayBuffer[]);
        expect(body.byteLength).toBe(0); // transferred: detached here
      }
    }
  } finally {
    port1.close();
    port2.close();
    await input.close();
  }
  return { kinds, bodies };
}

describe('the lean stream reader', () => {
  it('hands every record batch on as its own body, transferred, whatever the chunks the stream comes in', async () => {
    const bytes = new Uint8Array(readFileSync(typed('mc_large_list.arrows')));
    for (const size of [1, 7, 100, 512, 4096, bytes.length]) {
      const { kinds } = await refsOf(chunks(bytes, size));
      expect(kinds, `chunks of ${size}`).toEqual(['ipc-body', 'ipc-body', 'ipc-body']);
    }
  });

  it('steps over the dictionary batches (and deltas) of a column not scored, to the report of the plain file', async () => {
    const stream = await evaluate(typed('mc_dict_deltas.arrows'), { alpha: 'auto', threads: 2 });
    const plain = await evaluate(typed('mc_plain.arrow'), { alpha: 'auto', threads: 2 });
    expect(JSON.stringify(stream)).toBe(JSON.stringify(plain));
    const { kinds } = await refsOf(chunks(new Uint8Array(readFileSync(typed('mc_dict_deltas.arrows'))), 333));
    expect(kinds).toEqual(['ipc-body', 'ipc-body', 'ipc-body']);
  });

  it('names the stream and the batch where a cut stream ends', async () => {
    const bytes = new Uint8Array(readFileSync(typed('mc_large_list.arrows')));
    expect((await refsOf(chunks(bytes, 4096))).bodies).toBe(3);
    // Cut inside its last record batch's body.
    const cut = bytes.subarray(0, bytes.length - 200);
    const error = await refsOf(chunks(cut, 64)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FocalEvalError);
    expect((error as FocalEvalError).code).toBe('E_INPUT');
    expect((error as FocalEvalError).message).toMatch(/^stdin: .*truncated \(the stream ends inside message \d+ \(record batch 2, byte \d+\)'s body\)/);
  });
});

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RecordBatchReader, tableFromArrays, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ipcStreamEncoder } from '../src/stage/ipcStreamEncoder.ts';

function batches(): RecordBatch[] {
  const a = tableFromArrays({ x: new Float64Array([1, 2, 3]), y: new Int32Array([4, 5, 6]) }).batches[0]!;
  return [a, a.slice(0, 0), a.slice(1, 3)];
}

async function encode(input: RecordBatch[]): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(input), ipcStreamEncoder(), sink);
  return chunks;
}

describe('ipcStreamEncoder', () => {
  it('writes an IPC stream apache-arrow reads back batch for batch, empty batches included', async () => {
    const chunks = await encode(batches());
    const read = [...RecordBatchReader.from(Buffer.concat(chunks))];
    expect(read.map((b) => b.numRows)).toEqual([3, 0, 2]);
    expect(read.flatMap((b) => [...b.getChild('x')!])).toEqual([1, 2, 3, 2, 3]);
    expect(read.flatMap((b) => [...b.getChild('y')!])).toEqual([4, 5, 6, 5, 6]);
  });

  it('hands out each batch as one chunk (plus the schema and the end marker)', async () => {
    expect((await encode(batches())).length).toBeLessThanOrEqual(batches().length + 2);
  });

  it('fails its pipeline cleanly when the source fails mid-way', async () => {
    async function* failing(): AsyncGenerator<RecordBatch> {
      yield batches()[0]!;
      throw new Error('source failed');
    }
    const sink = new Writable({ write: (_chunk, _encoding, callback) => setTimeout(callback, 5) });
    await expect(pipeline(Readable.from(failing()), ipcStreamEncoder(), sink)).rejects.toThrow('source failed');
  });
});

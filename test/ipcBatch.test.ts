import { open } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { extractColumns } from '../src/input/columns.ts';
import { FocalEvalError } from '../src/errors.ts';
import { parseOptions } from '../src/options.ts';
import { makePlan } from '../src/input/plan.ts';
import { bodyBatch, leanDictionary, openLeanBatch, readDictionary, readLeanBatch } from '../src/input/ipc/batch.ts';
import type { IpcType } from '../src/input/ipc/schema.ts';
import { TYPE } from '../src/input/arrowTypes.ts';
import { encodeRecordBatch } from '../src/stage/ipcEncode.ts';
import { checkIpcFile } from '../src/input/ipc/fileCheck.ts';
import { columnPlaces } from '../src/input/ipc/schema.ts';
import { tempDir } from './support/tempDir.ts';

const fixture = (name: string): string => new URL(`./fixtures/${name}.arrow`, import.meta.url).pathname;

/**
 * The columns the kernels get, read both ways: the lean reader's must equal apache-arrow's. The
 * lean views live in a buffer the next read reuses, so each pair is made comparable at once.
 */
async function bothWays(path: string, options = {}) {
  const layout = await checkIpcFile(path);
  const table = tableFromIPC(readFileSync(path));
  const opts = parseOptions(options);
  const plan = makePlan({ fields: layout.fields }, opts, table.batches, path);
  // As openIpcFile places them: past view-typed columns, and Utf8View dictionaries lean.
  const views = true;
  const places = columnPlaces(layout.fields, views);
  const handle = await open(path, 'r');
  const lean = [plan.predColumn, plan.labelColumn].map((name) => {
    const type = layout.fields.find((f) => f.name === name)!.type;
    // A dictionary label's strings, from the file's dictionary batch.
    const dictionary = leanDictionary(type) ? readDictionary(handle.fd, layout.dictionaries, type, path)! : undefined;
    return { name, type, place: places.get(name)!, ...(dictionary ? { dictionary } : {}) };
  });
  try {
    const pairs = [];
    for (let i = 0; i < layout.recordBatches.length; i++) {
      const leanBatch = readLeanBatch(handle.fd, layout.recordBatches[i]!, lean, path);
      pairs.push([comparable(extractColumns(leanBatch, plan, path, i)), comparable(extractColumns(table.batches[i]!, plan, path, i))] as const);
    }
    return pairs;
  } finally {
    await handle.close();
  }
}

/** Column views as plain arrays up to their logical use, so padding beyond the rows does not count. */
function comparable(c: ReturnType<typeof extractColumns>) {
  const width = c.predOffsets ? 0 : c.length > 0 ? Math.round(c.pred.length / c.length) : 0;
  return {
    length: c.length,
    pred: Array.from(c.predOffsets ? c.pred : c.pred.subarray(0, c.length * Math.max(width, 1))),
    label: c.label ? Array.from(c.label.subarray(0, c.length)) : null,
    target: c.target ? Array.from(c.target) : null,
    rowState: c.rowState ? Array.from(c.rowState) : null,
  };
}

describe('readLeanBatch', () => {
  it.each(['mc_probs_f32', 'mc_logits_f32', 'bin_probs', 'ml_logits', 'inv_nan_pred'])(
    'reads %s into the same columns as apache-arrow',
    async (name) => {
      for (const [a, b] of await bothWays(fixture(name))) {
        expect(a.length).toBe(b.length);
        expect(a.label).toEqual(b.label);
        expect(a.rowState).toEqual(b.rowState);
        expect(a.target?.slice(0, a.length * 20)).toEqual(b.target?.slice(0, b.length * 20));
        expect(a.pred).toEqual(b.pred);
      }
    },
  );

  // The lean reader's cases of test/fixtures/types: LargeList, LargeUtf8, Utf8View, dictionary labels, 64-bit and unsigned labels.
  const manifest = JSON.parse(readFileSync(new URL('./fixtures/types/cases.json', import.meta.url), 'utf8')) as {
    cases: { file: string; path: string; options: Record<string, unknown> }[];
  };
  // apache-arrow cannot read these (RunEndEncoded, ListView, polars' Int128): types.test.ts holds them to their twins.
  const arrowCannot = new Set(['mc_skipped_types.arrow', 'mc_polars_int128.arrow', 'mc_skipped_dict.arrow']);
  // Compressed ones need the codecs loaded on both sides: types.test.ts holds them to their twins.
  const compressed = (file: string): boolean => /\.(lz4|zstd)\./.test(file);
  it.each(manifest.cases.filter((c) => c.path === 'ipc-lean' && !arrowCannot.has(c.file) && !compressed(c.file)).map((c) => [c.file, c.options] as const))(
    'reads types/%s (%j) into the same columns as apache-arrow',
    async (file, options) => {
      const pairs = await bothWays(new URL(`./fixtures/types/${file}`, import.meta.url).pathname, options);
      expect(pairs.length).toBeGreaterThan(2);
      for (const [lean, arrow] of pairs) expect(lean).toEqual(arrow);
    },
  );

  it('reads a column that follows a utf8 column and Float64 / Int64 types', async () => {
    const path = tempDir().path('mixed.arrow');
    const table = tableFromArrays({
      note: ['a', 'bb', '', 'dddd'],
      prob: new Float64Array([0.1, 0.9, 0.5, 0.7]),
      label: new BigInt64Array([0n, 1n, 1n, 0n]),
    });
    writeFileSync(path, tableToIPC(table, 'file'));
    for (const [lean, arrow] of await bothWays(path)) expect(lean).toEqual(arrow);
  });

  it('reads a sliceable column where a place says, the same values, and refuses a place of the wrong size', async () => {
    const path = fixture('mc_probs_f32');
    const layout = await checkIpcFile(path);
    const table = tableFromIPC(readFileSync(path));
    const plan = makePlan({ fields: layout.fields }, parseOptions({}), table.batches, path);
    const places = columnPlaces(layout.fields);
    const lean = [plan.predColumn, plan.labelColumn].map((name) => ({
      name,
      type: layout.fields.find((f) => f.name === name)!.type,
      place: places.get(name)!,
    }));
    const handle = await open(path, 'r');
    try {
      const batch = openLeanBatch(handle.fd, layout.recordBatches[0]!, lean, path, 0);
      expect(batch.sliceable).toBe(true);
      const to = Math.min(batch.numRows, 24);
      const copied = comparable(extractColumns(batch.read(3 * 8, to + 8), plan, path, 0));
      const target = new Uint8Array(new ArrayBuffer(1 << 16), 64, copied.length * 10 * 4);
      const asked: [string, number][] = [];
      const placed = extractColumns(
        batch.read(3 * 8, to + 8, (column, bytes) => {
          asked.push([column, bytes]);
          return column === plan.predColumn ? target : null;
        }),
        plan,
        path,
        0,
      );
      expect(asked).toEqual([
        [plan.predColumn, target.byteLength],
        [plan.labelColumn, expect.any(Number)],
      ]);
      expect(placed.pred.buffer).toBe(target.buffer);
      expect(comparable(placed)).toEqual(copied);
      const short = new Uint8Array(target.byteLength - 4);
      expect(() => batch.read(0, 8, () => short)).toThrow(/internal error/);
      const unaligned = new Uint8Array(new ArrayBuffer(1 << 16), 4, 8 * 10 * 4);
      expect(() => batch.read(0, 8, (column) => (column === plan.predColumn ? unaligned : null))).toThrow(/8-byte boundary/);
    } finally {
      await handle.close();
    }
  });

  it('refuses a block whose buffers lie outside the file with an error naming it', async () => {
    const path = fixture('mc_probs_f32');
    const layout = await checkIpcFile(path);
    const places = columnPlaces(layout.fields);
    const probs = layout.fields.find((f) => f.name === 'probs')!;
    const handle = await open(path, 'r');
    try {
      const block = { ...layout.recordBatches[0]!, offset: layout.size - 16 };
      expect(() => readLeanBatch(handle.fd, block, [{ name: 'probs', type: probs.type, place: places.get('probs')! }], path)).toThrow(
        FocalEvalError,
      );
    } finally {
      await handle.close();
    }
  });
});

describe('bodyBatch', () => {
  /** A record batch message (continuation marker, length, flatbuffer) of one column's nodes and buffers. */
  const message = (nodes: { length: number; nullCount: number }[], buffers: { offset: number; length: number }[], bodyLength: number): Uint8Array => {
    const flatbuffer = encodeRecordBatch(nodes[0]!.length, nodes, buffers, bodyLength);
    const out = new Uint8Array(8 + flatbuffer.length);
    new DataView(out.buffer).setInt32(0, -1, true);
    new DataView(out.buffer).setInt32(4, flatbuffer.length, true);
    out.set(flatbuffer, 8);
    return out;
  };
  const int32: IpcType = { typeId: TYPE.Int, bitWidth: 32, isSigned: true, children: [], toString: () => 'Int32' };
  const columns = [{ name: 'label', type: int32, place: { node: 0, buffer: 0 } }];

  it('reads a column from its message and body', () => {
    const body = new Uint8Array(new Int32Array([3, 1]).buffer);
    const batch = bodyBatch(message([{ length: 2, nullCount: 0 }], [{ offset: 0, length: 0 }, { offset: 0, length: 8 }], 8), body, columns, 's.arrows', 0);
    expect(Array.from(batch.data.children[0]!.values as Int32Array)).toEqual([3, 1]);
  });

  it('refuses a message with fewer buffers than the schema needs, naming the batch', () => {
    const body = new Uint8Array(8);
    expect(() => bodyBatch(message([{ length: 2, nullCount: 0 }], [{ offset: 0, length: 0 }], 8), body, columns, 's.arrows', 4)).toThrow(
      new FocalEvalError('E_INPUT', 's.arrows: batch 4: the batch has fewer buffers than the schema needs'),
    );
  });
});

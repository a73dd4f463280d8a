/**
 * The lean Parquet reader's row-group reads a few rows at a time, with a column's values read
 * into a view the caller gives (the wasm kernel's prediction slot, in the worker): the same
 * values as reading the row group whole into the reader's own arrays, in the caller's memory
 * where they fit there, and in the reader's own where they do not.
 */
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BatchLike, DataLike } from '../src/input/arrowTypes.ts';
import type { ColumnReader } from '../src/input/parquet/columnReader.ts';
import { leanColumns, leanRowGroup, readParquetFooter } from '../src/input/parquet/file.ts';
import { leanBatches, LeanRowGroupReader, type LeanRowGroup } from '../src/input/parquet/rowGroup.ts';
import { fixture } from './support/fixtures.ts';

/** The values array of a column: a list's child values, or the column's own. */
function valuesOf(data: DataLike): { buffer: ArrayBufferLike; byteOffset: number } {
  return ((data.children[0] ?? data).values ?? new Uint8Array(0)) as { buffer: ArrayBufferLike; byteOffset: number };
}

/** Whether a read's rows are full (no null row, no shorter list): its values then take exactly `width` per row. */
function full(data: DataLike, width: number): boolean {
  const child = data.children[0];
  return data.nullCount === 0 && (child === undefined || child.length === data.length * width);
}

/** A column's rows as plain values: null for a null row or slot, a list's values as an array. */
function rowsOf(data: DataLike): unknown[] {
  const out: unknown[] = [];
  const child = data.children[0];
  for (let r = 0; r < data.length; r++) {
    if (!data.getValid(r)) {
      out.push(null);
      continue;
    }
    if (child === undefined) {
      out.push((data.values as ArrayLike<number>)[r]);
      continue;
    }
    const offsets = data.valueOffsets as Int32Array | undefined;
    const size = child.length / data.length;
    const [from, to] = offsets ? [offsets[r]!, offsets[r + 1]!] : [r * size, (r + 1) * size];
    const row: unknown[] = [];
    for (let k = from; k < to; k++) row.push(child.getValid(k) ? (child.values as ArrayLike<number>)[k] : null);
    out.push(row);
  }
  return out;
}

function groupsOf(path: string, names: string[]): LeanRowGroup[] {
  const footer = readParquetFooter(path);
  const columns = leanColumns(footer, names);
  expect(columns).not.toBeNull();
  return footer.meta.rowGroups.map((_, g) => leanRowGroup(footer.meta, g, columns!)!);
}

/** Every row of every column, row group after row group, each read whole (the reader's own arrays). */
function wholeRows(path: string, names: string[]): unknown[][] {
  const fd = openSync(path, 'r');
  const readers: ColumnReader[] = [];
  const out: unknown[][] = names.map(() => []);
  try {
    for (const group of groupsOf(path, names)) {
      for (const batch of leanBatches(fd, group, path, 1 << 16, readers)) names.forEach((_, k) => out[k]!.push(...rowsOf(batch.data.children[k]!)));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

const cases = [
  { file: 'mc.snappy.parquet', pred: 'probs', names: ['probs', 'label'], bytesPerValue: 4 },
  { file: 'mc.none.smallpages.parquet', pred: 'probs', names: ['probs', 'label'], bytesPerValue: 4 },
  { file: 'fsl.snappy.parquet', pred: 'probs', names: ['probs', 'label'], bytesPerValue: 4 },
  { file: 'bin.snappy.parquet', pred: 'prob', names: ['prob', 'label'], bytesPerValue: 8 },
];

describe('LeanRowGroupReader: a few rows at a time, into the caller\'s view', () => {
  for (const { file, pred, names, bytesPerValue } of cases) {
    it(`${file}: the rows of the whole read, in the caller's memory where they fit, the reader's where they do not`, () => {
      const path = fixture(`parquet/${file}`);
      const groups = groupsOf(path, names);
      const whole = wholeRows(path, names);
      const width = Math.max(...whole[0]!.map((row) => (Array.isArray(row) ? row.length : 1)));
      const memory = new ArrayBuffer(64 * 1024);
      const chunk = 7; // not a divisor of any row group's rows: the last read of each is shorter
      for (const tooSmall of [false, true]) {
        const fd = openSync(path, 'r');
        const readers: ColumnReader[] = [];
        const got: unknown[][] = names.map(() => []);
        let clean = 0;
        let cleanInPlace = 0;
        try {
          for (const group of groups) {
            const reader = new LeanRowGroupReader(fd, group, path, readers);
            for (let from = 0; from < group.rows; from += chunk) {
              const n = Math.min(chunk, group.rows - from);
              const view = new Uint8Array(memory, 16, n * width * bytesPerValue - (tooSmall ? bytesPerValue : 0));
              const batch: BatchLike = reader.read(n, (column) => (column === pred ? view : null));
              const values = valuesOf(batch.data.children[0]!);
              if (full(batch.data.children[0]!, width)) {
                clean++;
                if (values.buffer === memory && values.byteOffset === 16) cleanInPlace++;
              }
              names.forEach((_, k) => got[k]!.push(...rowsOf(batch.data.children[k]!)));
            }
            reader.finish();
          }
        } finally {
          closeSync(fd);
        }
        expect(got).toEqual(whole);
        // A read of full rows fills the view (one too small cannot hold it); one with null rows or
        // shorter lists holds fewer values, and may fit even the view too small for full rows.
        expect(clean).toBeGreaterThan(0);
        expect(cleanInPlace).toBe(tooSmall ? 0 : clean);
      }
    });
  }
});

/**
 * What the tests share: a seeded random source, the spec's tolerance as a comparison that lists
 * every mismatch by path, small Arrow builders, temporary files, and the fixtures under
 * test/fixtures (never /work/shared: the project reads only its own files at test time).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Bool,
  Dictionary,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int8,
  List,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type DataType,
  type RecordBatch,
  type Vector,
} from 'apache-arrow';

/** The project root. */
export const ROOT = new URL('..', import.meta.url).pathname;
/** The fixtures directory. */
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** Path of a fixture file. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** A fixture's expected JSON. */
export function expected<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(fixture(`${name}.expected.json`), 'utf8')) as T;
}

/** A deterministic uniform [0, 1) source (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The spec's tolerance for a sum: |a - e| <= max(1e-6 |e|, 1e-9). */
export function closeEnough(actual: number, expectedValue: number): boolean {
  if (!Number.isFinite(expectedValue)) return Object.is(actual, expectedValue);
  return Math.abs(actual - expectedValue) <= Math.max(1e-6 * Math.abs(expectedValue), 1e-9);
}

/** Keys whose numbers are counts: compared exactly. */
const COUNT_KEYS = new Set(['count', 'easyCount', 'rows', 'scored', 'ignored', 'invalid', 'index', 'counts', 'negatives', 'histogram', 'schemaVersion']);

/**
 * Compares a report-like value with an expected one: counts exactly, other numbers within the
 * spec's tolerance, everything else exactly. Returns the mismatches, one line each.
 */
export function mismatches(actual: unknown, expectedValue: unknown, path = '', exact = false): string[] {
  if (typeof expectedValue === 'number') {
    if (typeof actual !== 'number') return [`${path}: ${JSON.stringify(actual)}, expected ${expectedValue}`];
    const ok = exact ? actual === expectedValue : closeEnough(actual, expectedValue);
    return ok ? [] : [`${path}: ${actual}, expected ${expectedValue}`];
  }
  if (expectedValue === null || typeof expectedValue !== 'object') {
    return Object.is(actual, expectedValue) ? [] : [`${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expectedValue)}`];
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual) !== Array.isArray(expectedValue)) {
    return [`${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expectedValue)}`];
  }
  const a = actual as Record<string, unknown>;
  const e = expectedValue as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
  return [...keys].flatMap((k) => {
    const isIndex = Array.isArray(expectedValue);
    return mismatches(a[k], e[k], `${path}${isIndex ? `[${k}]` : `.${k}`}`, exact || (!isIndex && COUNT_KEYS.has(k)));
  });
}

/** A FixedSizeList<Float32>[C] (or Float64) column type. */
export function fixedFloats(C: number, double = false): FixedSizeList {
  return new FixedSizeList(C, new Field('item', double ? new Float64() : new Float32(), true));
}

/** A List<Float64> (or Float32) column type. */
export function listFloats(double = true): List {
  return new List(new Field('item', double ? new Float64() : new Float32(), true));
}

/** A FixedSizeList<Bool>[C] target column type. */
export function fixedBools(C: number): FixedSizeList {
  return new FixedSizeList(C, new Field('item', new Bool(), true));
}

/** A FixedSizeList<Int8>[C] target column type. */
export function fixedInt8(C: number): FixedSizeList {
  return new FixedSizeList(C, new Field('item', new Int8(), true));
}

/** A List<Int8> target column type. */
export function listInt8(): List {
  return new List(new Field('item', new Int8(), true));
}

/** A dictionary-encoded string column type. */
export function dictUtf8(): Dictionary {
  return new Dictionary(new Utf8(), new Int32());
}

/** A vector of the given type. */
export function vec<T extends DataType>(values: readonly unknown[], type: T): Vector<T> {
  return vectorFromArray(values as unknown[], type) as Vector<T>;
}

/** A one-batch Table from named vectors. */
export function table(columns: Record<string, Vector>): Table {
  return new Table(columns);
}

/** The single batch of a one-batch Table built from named vectors. */
export function batchOf(columns: Record<string, Vector>): RecordBatch {
  const batches = table(columns).batches;
  if (batches.length !== 1) throw new Error(`expected one batch, got ${batches.length}`);
  return batches[0]!;
}

/** Standard column types, for brevity. */
export const types = { f32: () => new Float32(), f64: () => new Float64(), i32: () => new Int32(), i8: () => new Int8(), bool: () => new Bool(), utf8: () => new Utf8() };

/** A temporary directory, removed by `cleanup`. */
export function tempDir(): { dir: string; path(name: string): string; write(name: string, bytes: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'focal-eval-test-'));
  return {
    dir,
    path: (name) => join(dir, name),
    write(name, bytes) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A Table as Arrow IPC bytes: the file format, or the stream format. */
export function ipc(t: Table, format: 'file' | 'stream' = 'file'): Uint8Array {
  return tableToIPC(t, format);
}

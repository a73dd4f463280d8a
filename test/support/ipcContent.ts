/**
 * What an Arrow IPC stream holds, as plain data to compare: its schema (names, types, nullability,
 * metadata) and every batch's row count and column values (nulls as null, lists as arrays). Two
 * streams with the same content may differ in bytes: the stage's IPC file path writes the input's
 * own body layout and its own flatbuffer headers, apache-arrow's writer its own.
 */
import { RecordBatchReader, type Vector } from 'apache-arrow';

function plainValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'object' && 'toArray' in (v as object)) return Array.from((v as Vector).toArray() as ArrayLike<unknown>, plainValue);
  return v;
}

/** The content of IPC bytes (a stream or a file). */
export function ipcContent(bytes: Uint8Array): unknown {
  const batches = [...RecordBatchReader.from(bytes)];
  const schema = batches[0]?.schema;
  return {
    fields: schema?.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '?' : ''}`),
    metadata: schema ? [...schema.metadata] : [],
    batches: batches.map((b) => ({
      rows: b.numRows,
      columns: b.schema.fields.map((f) => Array.from({ length: b.numRows }, (_, r) => plainValue(b.getChild(f.name)!.get(r)))),
    })),
  };
}

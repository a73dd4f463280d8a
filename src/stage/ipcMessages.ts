/**
 * Arrow IPC stream messages for the stage's output, built from buffers as they are: the schema
 * message, and each record batch as a list of chunks (its header frame, then its body pieces in
 * body order, each padded to 8 bytes) for one vectored write. No body byte is copied: a piece is
 * a view of the worker's (shared) buffer. The flatbuffer headers are encoded by ipcEncode.ts.
 */
import type { Plan } from '../input/plan.ts';
import type { RowColumns } from '../kernel/types.ts';
import { encodeRecordBatch, encodeSchema, type AddedField } from './ipcEncode.ts';
import type { PassedBody } from '../pool/task.ts';

const ZEROS = new Uint8Array(8);

/** The end-of-stream marker: continuation and a zero length. */
export const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

const pad8 = (n: number): number => (n + 7) & ~7;

/** A message's frame: the continuation marker, the padded metadata length, the metadata, zeros to 8. */
function frame(metadata: Uint8Array): Uint8Array {
  const length = pad8(metadata.byteLength);
  const out = new Uint8Array(8 + length);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, length, true);
  out.set(metadata, 8);
  return out;
}

/** The schema message of the output stream: the input file's schema (from its footer) with the loss columns (spec §5) appended. */
export function schemaMessage(footer: Uint8Array, plan: Plan): Uint8Array {
  const added: AddedField[] =
    plan.mode === 'multilabel'
      ? [
          { name: 'focal_loss_per_class', type: 'fixedSizeListFloat32', listSize: plan.classes },
          { name: 'focal_loss', type: 'float64' },
        ]
      : [
          { name: 'p_t', type: 'float64' },
          { name: 'ce', type: 'float64' },
          { name: 'focal_loss', type: 'float64' },
          { name: 'easy', type: 'bool' },
        ];
  return frame(encodeSchema(footer, added));
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The chunks of one record batch: the batch's own nodes and body (as the worker read them), then
 * the loss columns' nodes and buffers (spec §5): p_t, ce, focal_loss, easy, or in multilabel
 * focal_loss_per_class (a FixedSizeList over the per-class values) and focal_loss. The columns'
 * validity bitmap is the rows' (absent when every row was scored).
 */
export function recordBatchChunks(body: PassedBody, rows: RowColumns, classes: number): Uint8Array[] {
  const n = body.numRows;
  const nulls = rows.nulls;
  const validity = nulls === 0 ? new Uint8Array(0) : rows.valid.subarray(0, (n + 7) >> 3);
  const nodes = [...body.nodes];
  const regions = [...body.buffers];
  const chunks: Uint8Array[] = [];
  let at = pad8(body.bytes.byteLength);
  const pieces: Uint8Array[] = [body.bytes, ZEROS.subarray(0, at - body.bytes.byteLength)];
  const add = (bytes: Uint8Array): void => {
    regions.push({ offset: at, length: bytes.byteLength });
    const padded = pad8(bytes.byteLength);
    pieces.push(bytes, ZEROS.subarray(0, padded - bytes.byteLength));
    at += padded;
  };
  const column = (values: Uint8Array): void => {
    nodes.push({ length: n, nullCount: nulls });
    add(validity);
    add(values);
  };
  if (rows.perClass !== null) {
    nodes.push({ length: n, nullCount: nulls });
    add(validity);
    nodes.push({ length: n * classes, nullCount: 0 });
    add(new Uint8Array(0));
    add(bytesOf(rows.perClass.subarray(0, n * classes)));
    column(bytesOf(rows.loss.subarray(0, n)));
  } else {
    column(bytesOf(rows.pt.subarray(0, n)));
    column(bytesOf(rows.ce.subarray(0, n)));
    column(bytesOf(rows.loss.subarray(0, n)));
    column(rows.easy.subarray(0, (n + 7) >> 3));
  }
  // The loss columns hold no views: the input's variadic counts are the batch's.
  chunks.push(frame(encodeRecordBatch(n, nodes, regions, at, body.variadic)));
  for (const piece of pieces) if (piece.byteLength > 0) chunks.push(piece);
  return chunks;
}

/**
 * An Arrow IPC stream (a .arrows file, a FIFO, stdin) as an input: its messages framed and
 * checked here (ipc/streamCheck.ts), its schema decoded by the lean schema decoder. Each record
 * batch whose scored columns the lean reader reads (ipc/batch.ts leanReads: numbers, bools,
 * strings and lists of them, placed before any union or view column) goes to a worker as its
 * message and its body, the body's buffer transferred, not copied: the worker builds the columns
 * over it (bodyBatch). A stream whose scored columns it does not read (a dictionary label, a view
 * type) is read by apache-arrow from the same messages, here, and its columns copied out, as
 * every stream was before; so is the stage's (batches()).
 *
 * The messages read before scoring starts (the plan's, up to PLAN_HOLD while it looks for a
 * List's width) are held as they came, so that either reader can take them from the start.
 */
import type { RecordBatch } from 'apache-arrow';
import { FocalEvalError } from '../errors.ts';
import { asInputError, loadArrow } from './arrow.ts';
import type { BatchLike } from './arrowTypes.ts';
import { detachColumns, extractColumns } from './columns.ts';
import { bodyBatch, leanReads, type LeanColumn } from './ipc/batch.ts';
import type { Codec } from './ipc/codecs.ts';
import { FlatBuffer } from './ipc/flatbuffer.ts';
import { columnPlaces, decodeSchema, type IpcField } from './ipc/schema.ts';
import { ipcStreamMessages, streamBytes, type StreamMessage } from './ipc/streamCheck.ts';
import type { OpenedInput } from './open.ts';
import { listWidth, mayHoldMore, type Plan } from './plan.ts';

/** Opens the stream of `bytes` (named `name` in messages): reads its schema message. */
export async function openIpcStream(bytes: AsyncIterable<Uint8Array>, name: string, maxBodyBytes: number): Promise<OpenedInput> {
  const source = ipcStreamMessages(bytes, name, maxBodyBytes);
  const first = await source.next();
  if (first.done) throw new FocalEvalError('E_INPUT', `${name}: no schema (empty input)`);
  const schemaMessage = first.value;
  const fields = schemaFields(schemaMessage.metadata);
  if (fields.length === 0) throw new FocalEvalError('E_INPUT', `${name}: no schema (empty input)`);
  const places = columnPlaces(fields);

  // Messages read and not yet handed on, in order; `ended` once the stream is done.
  const held: StreamMessage[] = [];
  let ended = false;
  let taken = false;
  const pull = async (): Promise<StreamMessage | null> => {
    const r = await source.next();
    if (r.done) ended = true;
    return r.done ? null : r.value;
  };
  /** Every message after the schema, the held ones first; once only (a stream is read once). */
  const rest = async function* (): AsyncGenerator<StreamMessage> {
    if (taken) throw new FocalEvalError('E_INTERNAL', `internal error: ${name} read twice`);
    taken = true;
    for (let m = held.shift() ?? null; m !== null || !ended; m = held.shift() ?? null) {
      const next = m ?? (await pull());
      if (next === null) return;
      yield next;
    }
  };
  /** The stream again as apache-arrow reads it: the schema message, then the rest. */
  const arrowBatches = async function* (messages: AsyncIterable<StreamMessage>): AsyncGenerator<RecordBatch> {
    const { RecordBatchReader } = await loadArrow();
    let index = 0;
    try {
      const reader = await RecordBatchReader.from(streamBytes(prepend(schemaMessage, messages)));
      for await (const batch of reader as AsyncIterable<RecordBatch>) {
        yield batch;
        index++;
      }
    } catch (error) {
      throw asInputError(error, name, index);
    }
  };
  const leanColumn = (column: string): LeanColumn | null => {
    const field = fields.find((f) => f.name === column);
    const place = places.get(column);
    return field && place && leanReads(field.type) ? { name: column, type: field.type, place } : null;
  };
  const leanColumns = (plan: Plan): LeanColumn[] | null => {
    const wanted = [leanColumn(plan.predColumn), leanColumn(plan.labelColumn)];
    return wanted.every((c) => c !== null) ? (wanted as LeanColumn[]) : null;
  };

  return {
    name,
    schema: { fields },
    async planBatches(widthColumn, dictionaryColumn = null) {
      // A dictionary label's strings come from apache-arrow (a stream may change its dictionary from batch to batch).
      const width = widthColumn === null || dictionaryColumn !== null ? null : leanColumn(widthColumn);
      if (width !== null) return leanWidthBatch(width);
      return arrowPlanBatches(widthColumn);
    },
    async *batchRefs(plan) {
      const columns = leanColumns(plan);
      if (columns === null) {
        let index = 0;
        for await (const batch of arrowBatches(rest())) {
          const { columns: copied, transferList } = detachColumns(extractColumns(batch, plan, name, index++));
          yield { batch: { kind: 'columns', columns: copied }, transferList };
        }
        return;
      }
      const codecs = new Set<Codec>();
      for await (const m of rest()) {
        if (m.summary.compression !== null) codecs.add(m.summary.compression);
        if (m.batch === null) continue; // a dictionary of a column not scored
        const body = owned(m.body);
        yield { batch: { kind: 'ipc-body', header: m.header, body, index: m.batch, columns, codecs: [...codecs] }, transferList: [body.buffer as ArrayBuffer] };
      }
    },
    batches: () => arrowBatches(rest()),
    close: async () => {
      await source.return(undefined);
    },
  };

  /** Holds messages until a record batch has a non-null row of the (lean) width column: that batch, read here. */
  async function leanWidthBatch(column: LeanColumn): Promise<BatchLike[]> {
    let last: BatchLike | null = null;
    let bytes = 0;
    for (let i = 0; ; i++) {
      if (i === held.length) {
        if (ended || !mayHoldMore(i, bytes)) break;
        const more = await pull();
        if (more === null) break;
        held.push(more);
      }
      const m = held[i]!;
      bytes += m.body.byteLength;
      if (m.batch === null) continue;
      last = bodyBatch(m.header, m.body, [column], name, m.batch);
      if (listWidth(last, column.name) !== undefined) break;
    }
    return last === null ? [] : [last];
  }

  /**
   * The plan's batches through apache-arrow (a dictionary's strings, a width of a type the lean
   * reader does not read): the first, and the first with a non-null row of `widthColumn`, from
   * the held messages and more, up to PLAN_HOLD.
   */
  async function arrowPlanBatches(widthColumn: string | null): Promise<BatchLike[]> {
    const decoded: RecordBatch[] = [];
    let bytes = 0;
    const tee = async function* (): AsyncGenerator<StreamMessage> {
      for (let i = 0; ; i++) {
        if (i === held.length) {
          if (ended || !mayHoldMore(decoded.length, bytes)) return;
          const more = await pull();
          if (more === null) return;
          held.push(more);
        }
        bytes += held[i]!.body.byteLength;
        yield held[i]!;
      }
    };
    for await (const batch of arrowBatches(tee())) {
      decoded.push(batch);
      if (widthColumn === null) break;
      if (listWidth(batch, widthColumn) !== undefined) return decoded.length === 1 ? [batch] : [decoded[0]!, batch];
    }
    return decoded.slice(0, 1);
  }
}

/** The schema message's fields (the message was checked). */
function schemaFields(metadata: Uint8Array): IpcField[] {
  const fb = new FlatBuffer(metadata);
  const header = fb.table(fb.root('the message'), 2, 'the schema');
  return header ? decodeSchema(fb, header) : [];
}

async function* prepend<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield first;
  yield* rest;
}

/** The body in an ArrayBuffer of its own (a view of a larger chunk is copied), so that it can be transferred. */
function owned(body: Uint8Array): Uint8Array {
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer) return body;
  return body.slice();
}

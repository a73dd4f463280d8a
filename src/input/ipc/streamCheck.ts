/**
 * Checking an Arrow IPC *stream* (a .arrows file or stdin): framed message by message (prefix,
 * Message flatbuffer, body), each message checked as a file's are (messageCheck.ts), so that no
 * reader sees a negative length, a schema it could spin on, or a body shorter than announced.
 * The messages go to the lean stream reader (../ipcStream.ts), or as bytes again, unchanged, to
 * apache-arrow. A compressed message is passed on only once the decoder of its codec has loaded
 * (ipc/codecs.ts), since apache-arrow's codecs must decode synchronously.
 */
import { loadCodecs } from './codecs.ts';
import { fail, FlatBuffer } from './flatbuffer.ts';
import { CONTINUATION, messagePrefix } from './io.ts';
import {
  checkMessage,
  checkMetadataLength,
  headerName,
  inContext,
  inputError,
  RECORD_BATCH,
  SCHEMA,
  type MessageSummary,
  type SchemaSummary,
} from './messageCheck.ts';

const ARROW_AS_INT32 = 0x4f525241; // "ARRO", the file magic's first four bytes, read as a length

/** Pulls chunks on demand and hands out exact byte counts across chunk borders. */
class ByteQueue {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Buffers at least `n` bytes; false when the source ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) this.ended = true;
      else if (next.value.byteLength > 0) {
        this.chunks.push(next.value);
        this.buffered += next.value.byteLength;
      }
    }
    return this.buffered >= n;
  }

  /** Up to `n` buffered bytes, without copying (at least one byte must be buffered). */
  takeSome(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first === undefined) throw new RangeError('ByteQueue.takeSome: nothing is buffered'); // a caller's bug: fill() first
    const piece = first.byteLength <= n ? first : first.subarray(0, n);
    if (piece === first) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= piece.byteLength;
    return piece;
  }

  /** Exactly `n` buffered bytes, copied only when they span chunks. */
  take(n: number): Uint8Array {
    if ((this.chunks[0]?.byteLength ?? 0) >= n) return this.takeSome(n);
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      const piece = this.takeSome(n - filled);
      out.set(piece, filled);
      filled += piece.byteLength;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.source.return?.();
  }
}

/** Takes exactly `n` bytes, or fails: EOF inside a message means the stream was cut. */
async function takeExactly(queue: ByteQueue, n: number, what: string): Promise<Uint8Array> {
  if (!(await queue.fill(n))) fail(`truncated (the stream ends inside ${what})`);
  return queue.take(n);
}

/** The next message's prefix (a zero length is the end-of-stream marker), or null at EOF between messages. */
async function readPrefix(queue: ByteQueue): Promise<{ bytes: Uint8Array; metadataLength: number } | null> {
  if (!(await queue.fill(1))) return null;
  let bytes = await takeExactly(queue, 4, 'a message prefix');
  if (new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true) === CONTINUATION) {
    bytes = concat(bytes, await takeExactly(queue, 4, 'a message prefix'));
  }
  const { metadataLength } = messagePrefix(bytes);
  if (metadataLength === ARROW_AS_INT32) fail('not an Arrow IPC stream (it starts like an Arrow IPC file)');
  checkMetadataLength(metadataLength);
  return { bytes, metadataLength };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** Checks a stream message, and that the schema comes first and only once. */
function checkStreamMessage(metadata: Uint8Array, schema: SchemaSummary | null): MessageSummary {
  const message = checkMessage(metadata, schema);
  if (!schema && message.headerType !== SCHEMA) fail(`the stream starts with a ${headerName(message.headerType)} message, not a Schema`);
  if (schema && message.headerType === SCHEMA) fail('a second schema message in the stream');
  return message;
}

/** The message's header type if its root can be read (it is checked in full next), for naming it. */
function peekHeaderType(metadata: Uint8Array): number | null {
  try {
    const fb = new FlatBuffer(metadata);
    return fb.u8Field(fb.root('the message'), 1, 'the message');
  } catch {
    return null;
  }
}

/** A checked message of a stream: its bytes as they came, and what the check found. */
export interface StreamMessage {
  /** The prefix and the metadata, as they were in the stream. */
  header: Uint8Array;
  /** The metadata (the Message flatbuffer). */
  metadata: Uint8Array;
  summary: MessageSummary;
  /** The body, exactly its declared length: a view of the bytes read (a copy only where it spans chunks). */
  body: Uint8Array;
  /** Which record batch of the stream it is (0 on), null for the schema and dictionary messages. */
  batch: number | null;
}

// The framing mirrors apache-arrow's stream reader, so it sees exactly the messages we checked.
async function* frameMessages(queue: ByteQueue, maxBodyBytes: number): AsyncGenerator<StreamMessage, void, undefined> {
  let schema: SchemaSummary | null = null;
  let position = 0;
  let recordBatches = 0;
  for (let index = 0, prefix = await readPrefix(queue); prefix; index++, prefix = await readPrefix(queue)) {
    if (prefix.metadataLength === 0) break; // the end-of-stream marker
    const metadata = await takeExactly(queue, prefix.metadataLength, `message ${index} (byte ${position})'s metadata`);
    const isBatch = peekHeaderType(metadata) === RECORD_BATCH;
    const batch = isBatch ? recordBatches++ : null;
    const where = `message ${index} (${isBatch ? `record batch ${batch}, ` : ''}byte ${position})`;
    const summary = inContext(where, () => checkStreamMessage(metadata, schema));
    if (summary.bodyLength > maxBodyBytes) {
      fail(`${where} declares a body of ${summary.bodyLength} bytes, more than the ${maxBodyBytes} allowed (--max-batch-bytes)`);
    }
    schema ??= summary.schema;
    if (summary.compression !== null) await loadCodecs([summary.compression]);
    const bytes = summary.bodyLength === 0 ? new Uint8Array(0) : await takeExactly(queue, summary.bodyLength, `${where}'s body`);
    // A plain Uint8Array, not the stream's Buffer: Buffer's slice() is a view, not a copy.
    const body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    yield { header: concat(prefix.bytes, metadata), metadata, summary, body, batch };
    position += prefix.bytes.byteLength + metadata.byteLength + summary.bodyLength;
  }
  if (!schema) fail('empty Arrow IPC stream (no schema message)');
}

/**
 * The messages of an Arrow IPC stream, each checked (the first is its schema); throws E_INPUT
 * naming the stream. A message whose body is declared larger than `maxBodyBytes` is refused
 * before any of its body is read.
 */
export async function* ipcStreamMessages(source: AsyncIterable<Uint8Array>, name: string, maxBodyBytes = Infinity): AsyncGenerator<StreamMessage> {
  const queue = new ByteQueue(source[Symbol.asyncIterator]());
  try {
    yield* frameMessages(queue, maxBodyBytes);
  } catch (error) {
    throw inputError(name, error, false);
  } finally {
    await queue.close();
  }
}

/** Messages as the bytes of a stream again (what apache-arrow's stream reader reads), ended by the end-of-stream marker. */
export async function* streamBytes(messages: AsyncIterable<StreamMessage>): AsyncGenerator<Uint8Array> {
  for await (const m of messages) {
    yield m.header;
    if (m.body.byteLength > 0) yield m.body;
  }
  yield END_OF_STREAM;
}

/** The end-of-stream marker: a continuation and a zero metadata length. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * Passes an Arrow IPC stream through, message by message, after checking each; throws E_INPUT
 * naming the stream. A message whose body is declared larger than `maxBodyBytes` is refused
 * before any of its body is read (apache-arrow would buffer it whole).
 */
export function checkedIpcStream(source: AsyncIterable<Uint8Array>, name: string, maxBodyBytes = Infinity): AsyncIterable<Uint8Array> {
  return streamBytes(ipcStreamMessages(source, name, maxBodyBytes));
}

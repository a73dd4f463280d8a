/**
 * Checking an Arrow IPC *stream* (a .arrows file or stdin) on its way to apache-arrow: framed
 * message by message (prefix, Message flatbuffer, body) while the bytes pass through unchanged,
 * each message checked as a file's are (messageCheck.ts), so that the reader never sees a negative
 * length, a schema it could spin on, or a body shorter than announced. A compressed message is
 * passed on only once the decoder of its codec has loaded (ipc/codecs.ts), since apache-arrow's
 * codecs must decode synchronously.
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

// The framing mirrors apache-arrow's stream reader, so it sees exactly the messages we checked.
async function* frameMessages(queue: ByteQueue, maxBodyBytes: number): AsyncGenerator<Uint8Array, void, undefined> {
  let schema: SchemaSummary | null = null;
  let position = 0;
  let recordBatches = 0;
  for (let index = 0, prefix = await readPrefix(queue); prefix; index++, prefix = await readPrefix(queue)) {
    if (prefix.metadataLength === 0) {
      if (schema) yield prefix.bytes; // the end-of-stream marker
      break;
    }
    const metadata = await takeExactly(queue, prefix.metadataLength, `message ${index} (byte ${position})'s metadata`);
    const batch = peekHeaderType(metadata) === RECORD_BATCH ? `record batch ${recordBatches++}, ` : '';
    const where = `message ${index} (${batch}byte ${position})`;
    const message = inContext(where, () => checkStreamMessage(metadata, schema));
    if (message.bodyLength > maxBodyBytes) {
      fail(`${where} declares a body of ${message.bodyLength} bytes, more than the ${maxBodyBytes} allowed (--max-batch-bytes)`);
    }
    schema ??= message.schema;
    if (message.compression !== null) await loadCodecs([message.compression]);
    yield concat(prefix.bytes, metadata);
    for (let left = message.bodyLength; left > 0; ) {
      if (!(await queue.fill(1))) fail(`truncated (the stream ends inside ${where}'s body)`);
      const piece = queue.takeSome(left);
      left -= piece.byteLength;
      yield piece;
    }
    position += prefix.bytes.byteLength + metadata.byteLength + message.bodyLength;
  }
  if (!schema) fail('empty Arrow IPC stream (no schema message)');
}

/**
 * Passes an Arrow IPC stream through unchanged, message by message, after checking each; throws
 * E_INPUT naming the stream. A message whose body is declared larger than `maxBodyBytes` is
 * refused before any of its body is read (apache-arrow would buffer it whole).
 */
export async function* checkedIpcStream(source: AsyncIterable<Uint8Array>, name: string, maxBodyBytes = Infinity): AsyncIterable<Uint8Array> {
  const queue = new ByteQueue(source[Symbol.asyncIterator]());
  try {
    yield* frameMessages(queue, maxBodyBytes);
  } catch (error) {
    throw inputError(name, error, false);
  } finally {
    await queue.close();
  }
}

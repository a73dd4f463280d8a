/**
 * RecordBatches in, the bytes of one Arrow IPC stream out, as a Node Transform that honours
 * backpressure on both sides. apache-arrow's own `RecordBatchStreamWriter.throughNode()` does
 * not: its writable side accepts every batch at once (a slow file lets them pile up in memory),
 * it hands out each column buffer as a chunk of its own (thousands of small writes), and when
 * a pipeline fails it aborts with a read still pending, an unhandled rejection that kills the
 * process. Here each batch is encoded synchronously and goes out as one chunk.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { RecordBatchStreamWriter, type RecordBatch } from 'apache-arrow';
import { AsyncByteQueue } from 'apache-arrow/io/stream';

/** The writer's sink: keeps what the writer writes until it is taken, nothing asynchronous. */
class ChunkCollector extends AsyncByteQueue {
  #chunks: Uint8Array[] = [];

  override write(value: ArrayBufferView): void {
    if (value.byteLength > 0) this.#chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }

  /** Everything written since the last take, as one buffer (copied: the views are the batch's). */
  take(): Buffer {
    const bytes = Buffer.concat(this.#chunks);
    this.#chunks = [];
    return bytes;
  }
}

/** A Transform from RecordBatches to an Arrow IPC stream's bytes (schema, batches, end marker). */
export function ipcStreamEncoder(): Transform {
  const sink = new ChunkCollector();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink);
  return new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    writableHighWaterMark: 2,
    transform(batch: RecordBatch, _encoding: BufferEncoding, callback: TransformCallback) {
      writer.write(batch);
      callback(null, sink.take());
    },
    flush(callback: TransformCallback) {
      writer.finish();
      callback(null, sink.take());
    },
  });
}

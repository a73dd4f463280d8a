/**
 * Writes an Arrow IPC file batch by batch with bounded memory. apache-arrow's RecordBatchFileWriter
 * queues every encoded byte in memory until someone reads it and has no backpressure of its own,
 * so after each batch we drain exactly the bytes it queued to disk before making the next one:
 * at most one batch is ever held, whatever the file's size. The file appears under its name only
 * once complete (written to a temporary name, then renamed), so a run stopped halfway never
 * leaves a file that looks whole.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { RecordBatchFileWriter, type RecordBatch } from 'apache-arrow';

/** The file writer, with the count of bytes it has queued so far made readable. */
class CountingFileWriter extends RecordBatchFileWriter {
  /** Bytes written to the queue since the file began (reset to 0 when the writer closes). */
  get queuedBytes(): number {
    return this._position;
  }
}

/** An IPC file being written; call close() to finish it or abort() to drop it. */
export class IpcFileSink {
  private readonly writer = new CountingFileWriter();
  private readonly chunks = this.writer[Symbol.asyncIterator]();
  private flushed = 0;

  private constructor(
    private readonly path: string,
    private readonly tmp: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens a sink that will become `path` when closed. */
  static async create(path: string): Promise<IpcFileSink> {
    const tmp = `${path}.${process.pid}.tmp`;
    return new IpcFileSink(path, tmp, await open(tmp, 'w'));
  }

  /** Encodes one batch and writes its bytes to disk before resolving. */
  async write(batch: RecordBatch): Promise<void> {
    this.writer.write(batch);
    const pending: Uint8Array[] = [];
    while (this.flushed < this.writer.queuedBytes) {
      const { value } = await this.chunks.next();
      pending.push(value);
      this.flushed += value.byteLength;
    }
    await this.handle.writev(pending);
  }

  /** Writes the footer, closes the file and moves it to its final name; resolves to its size in bytes. */
  async close(): Promise<number> {
    this.writer.finish();
    const rest: Uint8Array[] = [];
    for (let r = await this.chunks.next(); !r.done; r = await this.chunks.next()) rest.push(r.value);
    await this.handle.writev(rest);
    const { size } = await this.handle.stat();
    await this.handle.close();
    await rename(this.tmp, this.path);
    return size;
  }

  /** Drops the partial file. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
    await rm(this.tmp, { force: true });
  }
}

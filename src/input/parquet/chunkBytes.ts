/**
 * The bytes of one column chunk, read from the file a window at a time into a buffer reused from
 * window to window (and from chunk to chunk: a worker reads a row group's columns one after the
 * other). A view is valid until the next call.
 */
import { readFully } from '../ipc/io.ts';

/**
 * How much is read at once: a whole column chunk of the usual row group (131,072 rows × 10 floats
 * is 5 MB) in one read, and a bound on a worker's memory for larger ones, read a window at a time.
 */
const WINDOW_BYTES = 16 * 1024 * 1024;

export class ChunkBytes {
  private buffer: Uint8Array = new Uint8Array(0);
  /** Where a larger buffer comes from (the column reader's: in its page decoder's memory where it fits). */
  private readonly allocate: (bytes: number) => Uint8Array;
  /** The chunk bytes [from, from + filled) are in `buffer`. */
  private from = 0;
  private filled = 0;
  private fd = -1;
  /** The chunk's first byte in the file, and its length. */
  private start = 0;
  length = 0;

  constructor(allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes)) {
    this.allocate = allocate;
  }

  /** Starts on another chunk, keeping the buffer unless `fresh` (its memory was freed). */
  reset(fd: number, start: number, length: number, fresh = false): void {
    if (fresh) this.buffer = new Uint8Array(0);
    this.fd = fd;
    this.start = start;
    this.length = length;
    this.from = 0;
    this.filled = 0;
  }

  /** Chunk bytes [at, at + bytes), `bytes` clipped to the chunk's end. */
  view(at: number, bytes: number): Uint8Array {
    const end = Math.min(at + bytes, this.length);
    if (at < this.from || end > this.from + this.filled) {
      const size = Math.min(Math.max(end - at, WINDOW_BYTES), this.length - at);
      if (this.buffer.length < size) this.buffer = this.allocate(Math.ceil(size * 1.25));
      readFully(this.fd, this.buffer.subarray(0, size), this.start + at, 'the file ends inside a column chunk');
      this.from = at;
      this.filled = size;
    }
    return this.buffer.subarray(at - this.from, end - this.from);
  }
}

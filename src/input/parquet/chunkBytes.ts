/**
 * The bytes of one column chunk, read from the file a window at a time into a buffer reused from
 * window to window (and from chunk to chunk: a worker reads a row group's columns one after the
 * other). A view is valid until the next call.
 */
import { readFully } from '../ipc/io.ts';

/**
 * The least read at once. A page header is read with what follows it in one window; a page body
 * that runs past the window is read whole, exactly (at most its page's size). So the buffer stays
 * about one page large and in cache, where the decompressor and the decoders read it next; at
 * most a window per page (~6 % of W1's 1 MB pages) is read twice. Measured on W1's Parquet file
 * (5.9 MB chunks of 1 MB pages; 15 alternating runs, medians): a 16 MB window, which read a whole
 * chunk at once into memory that had left the cache by the time its pages were decoded, took
 * 306 ms; this one 298 ms.
 */
const WINDOW_BYTES = 64 * 1024;

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

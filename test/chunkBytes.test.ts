/**
 * ChunkBytes, the lean Parquet reader's window onto a column chunk: every view holds the file's
 * bytes at that place, whether it falls inside the window read last, starts in it and runs past
 * it (a page body after its header), lies behind it, or is far larger than a window; views are
 * clipped to the chunk's end.
 */
import { closeSync, openSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ChunkBytes } from '../src/input/parquet/chunkBytes.ts';
import { tempDir } from './support/tempDir.ts';

/** Deterministic bytes (xorshift), so that a view read from the wrong place cannot match. */
function bytesOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** Byte equality, quickly (toEqual walks a multi-MB array element by element). */
function expectSame(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  expect(Buffer.from(got.buffer, got.byteOffset, got.length).equals(Buffer.from(want.buffer, want.byteOffset, want.length))).toBe(true);
}

describe('ChunkBytes', () => {
  const temp = tempDir();
  afterAll(() => temp.cleanup());
  const data = bytesOf(3 * 1024 * 1024 + 17, 12345);
  const file = temp.write('chunk.bin', data);
  const start = 1000;
  const length = data.length - start - 500;
  const chunk = data.subarray(start, start + length);

  it('reads the bytes of each view, page after page as the reader asks for them, and any place asked again', () => {
    const fd = openSync(file, 'r');
    try {
      const bytes = new ChunkBytes();
      bytes.reset(fd, start, length);
      let s = 99;
      const next = (n: number): number => {
        s = (s * 1103515245 + 12345) >>> 0;
        return s % n;
      };
      // As the column reader asks: a header (256 bytes), then the page after it (up to ~1.2 MB).
      let pos = 0;
      while (pos < length) {
        const header = bytes.view(pos, 256);
        expectSame(header, chunk.subarray(pos, Math.min(pos + 256, length)));
        const headerLength = 1 + next(40);
        const size = Math.min(next(1_200_000) + 1, length - pos - headerLength);
        if (size <= 0) break;
        const body = bytes.view(pos + headerLength, size);
        expectSame(body, chunk.subarray(pos + headerLength, pos + headerLength + size));
        pos += headerLength + size;
      }
      // Anywhere, in any order, and past the end (clipped).
      for (let k = 0; k < 200; k++) {
        const at = next(length);
        const n = next(k % 10 === 0 ? 2_000_000 : 70_000) + 1;
        expectSame(bytes.view(at, n), chunk.subarray(at, Math.min(at + n, length)));
      }
    } finally {
      closeSync(fd);
    }
  });

  it('reads a view that ends just past the window the read before it filled', () => {
    const fd = openSync(file, 'r');
    try {
      // Windows of any power of two from 4 KiB to 2 MiB: a view one byte short of, at, and just
      // past the window a small read filled, from the window's start and from inside it.
      for (let window = 4096; window <= 2 * 1024 * 1024; window *= 2) {
        for (const from of [0, 1, 100]) {
          for (let d = -2; d <= 2; d++) {
            const bytes = new ChunkBytes();
            bytes.reset(fd, start, length);
            expectSame(bytes.view(0, 1), chunk.subarray(0, 1));
            expectSame(bytes.view(from, window - from + d), chunk.subarray(from, window + d));
            expectSame(bytes.view(window + d - 1, 1), chunk.subarray(window + d - 1, window + d));
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  });

  it('starts afresh on another chunk of the file', () => {
    const fd = openSync(file, 'r');
    try {
      const bytes = new ChunkBytes();
      bytes.reset(fd, start, length);
      expectSame(bytes.view(10, 100), chunk.subarray(10, 110));
      bytes.reset(fd, 0, 5000);
      expectSame(bytes.view(10, 100), data.subarray(10, 110));
      expectSame(bytes.view(4990, 100), data.subarray(4990, 5000));
    } finally {
      closeSync(fd);
    }
  });
});

/**
 * The bytes of Utf8View values: each a 16-byte view, its length first; up to 12 bytes are inline
 * after it, a longer string is (buffer index, offset) into the variadic data buffers. Read by the
 * label reader (columns.ts, which matches the bytes to classes: stringClasses.ts) and by the lean
 * IPC reader for a dictionary's strings (ipc/batch.ts); `fail` says what is wrong with a view, in
 * the caller's terms.
 */
export type Fail = (reason: string) => never;

/** Checks that `views` holds n views. */
export function checkViews(views: Uint8Array, n: number, fail: Fail): DataView {
  if (views.length < 16 * n) fail(`holds ${views.length} bytes of string views, ${n} rows need ${16 * n}`);
  return new DataView(views.buffer, views.byteOffset, views.byteLength);
}

/** Where a row's bytes are: bytes[from, to). */
export interface ViewRange {
  bytes: Uint8Array;
  from: number;
  to: number;
}

/** Sets `out` to row i's bytes (`at` from checkViews over `views`), without allocating; returns it. */
export function viewRange(at: DataView, views: Uint8Array, buffers: readonly Uint8Array[], i: number, fail: Fail, out: ViewRange): ViewRange {
  const size = at.getInt32(16 * i, true);
  if (size < 0) fail(`string view of row ${i} has length ${size}`);
  if (size <= 12) {
    out.bytes = views;
    out.from = 16 * i + 4;
  } else {
    const index = at.getInt32(16 * i + 8, true);
    const offset = at.getInt32(16 * i + 12, true);
    const buffer = buffers[index];
    if (!buffer || offset < 0 || offset + size > buffer.length) {
      fail(`string view of row ${i} points outside its data buffers (buffer ${index}, bytes ${offset}..${offset + size})`);
    }
    out.bytes = buffer;
    out.from = offset;
  }
  out.to = out.from + size;
  return out;
}

/** The n strings. */
export function viewStrings(views: Uint8Array, buffers: readonly Uint8Array[], n: number, fail: Fail): string[] {
  const at = checkViews(views, n, fail);
  const decoder = new TextDecoder();
  const out = new Array<string>(n);
  const row: ViewRange = { bytes: views, from: 0, to: 0 };
  for (let i = 0; i < n; i++) {
    const { bytes, from, to } = viewRange(at, views, buffers, i, fail, row);
    out[i] = decoder.decode(bytes.subarray(from, to));
  }
  return out;
}

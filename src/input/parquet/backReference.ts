/**
 * The back-reference copy of the LZ77 family (Snappy's copies, LZ4's matches): `length` bytes
 * from `offset` back in the output, written at `at`. The caller has checked 0 < offset <= at and
 * that the bytes fit. A source that overlaps what is written (offset < length) repeats a short
 * pattern, so it is copied a byte at a time; otherwise in one move.
 */
export function copyBack(out: Uint8Array, at: number, offset: number, length: number): void {
  if (offset >= length) {
    out.copyWithin(at, at - offset, at - offset + length);
    return;
  }
  for (let k = 0; k < length; k++) out[at + k] = out[at + k - offset]!;
}

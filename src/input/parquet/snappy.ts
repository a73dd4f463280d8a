/**
 * Snappy's raw block format, as Parquet stores a SNAPPY page: a varint of the decoded length,
 * then elements, each a tag byte whose low two bits say which:
 *   00 literal: length - 1 in the tag's high six bits (60..63: the length - 1 follows in 1..4 bytes, little-endian), then the bytes;
 *   01 copy: length 4 + bits 2..4, offset bits 5..7 (high) and one more byte (low);
 *   10 copy: length 1 + bits 2..7, a 2-byte offset;   11 copy: the same with a 4-byte offset.
 * A copy repeats `length` bytes from `offset` back in the output (they may overlap what it writes).
 * Every length and offset is checked: corrupt input is a SnappyError, never a read or write outside.
 */

import { copyBack } from './backReference.ts';

export class SnappyError extends Error {}

/** The decoded length a block declares. */
export function snappyLength(input: Uint8Array): number {
  return varint(input).value;
}

/** Decodes a block into `out`, which must be exactly the declared length (snappyLength). */
export function snappyDecode(input: Uint8Array, out: Uint8Array): void {
  const { value: length, next } = varint(input);
  if (length !== out.length) throw new SnappyError(`the block declares ${length} bytes, ${out.length} expected`);
  let i = next;
  let o = 0;
  const end = input.length;
  while (i < end) {
    const tag = input[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const bytes = len - 60;
        if (i + bytes > end) throw new SnappyError('a literal length runs past the block');
        len = 1;
        for (let k = 0; k < bytes; k++) len += input[i + k]! * 2 ** (8 * k);
        i += bytes;
      }
      if (i + len > end || o + len > length) throw new SnappyError('a literal runs past the block or its declared length');
      out.set(input.subarray(i, i + len), o);
      i += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (i >= end) throw new SnappyError('a copy runs past the block');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[i++]!;
    } else if (kind === 2) {
      if (i + 2 > end) throw new SnappyError('a copy runs past the block');
      len = (tag >>> 2) + 1;
      offset = input[i]! | (input[i + 1]! << 8);
      i += 2;
    } else {
      if (i + 4 > end) throw new SnappyError('a copy runs past the block');
      len = (tag >>> 2) + 1;
      offset = (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16)) + input[i + 3]! * 2 ** 24;
      i += 4;
    }
    if (offset === 0 || offset > o) throw new SnappyError(`a copy reaches ${offset} bytes back from byte ${o}`);
    if (o + len > length) throw new SnappyError('a copy runs past the declared length');
    copyBack(out, o, offset, len);
    o += len;
  }
  if (o !== length) throw new SnappyError(`the block decodes to ${o} bytes, not the ${length} it declares`);
}

function varint(input: Uint8Array): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const b = input[i];
    if (b === undefined) throw new SnappyError('the block ends inside its length');
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new SnappyError('the block length is longer than 5 bytes');
}

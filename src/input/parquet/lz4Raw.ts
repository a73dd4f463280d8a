/**
 * LZ4's raw block format, as Parquet stores an LZ4_RAW page: sequences, each a token byte (the
 * literal count in its high nibble, the match length - 4 in its low one; 15 in either: more
 * length bytes follow, each added, until one is below 255), the literals, then a 2-byte
 * little-endian offset back into the output and the match. The last sequence has literals only.
 * Every length and offset is checked: corrupt input is an Lz4Error, never a read or write outside.
 */

import { copyBack } from './backReference.ts';

export class Lz4Error extends Error {}

/** Decodes a block into `out`, which must come out exactly full. */
export function lz4RawDecode(input: Uint8Array, out: Uint8Array): void {
  let i = 0;
  let o = 0;
  const end = input.length;
  const length = out.length;
  while (i < end) {
    const token = input[i++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      for (let b = 255; b === 255; ) {
        if (i >= end) throw new Lz4Error('a literal length runs past the block');
        b = input[i++]!;
        literals += b;
      }
    }
    if (i + literals > end || o + literals > length) throw new Lz4Error('literals run past the block or the page');
    out.set(input.subarray(i, i + literals), o);
    i += literals;
    o += literals;
    if (i === end) break; // the last sequence
    if (i + 2 > end) throw new Lz4Error('a match offset runs past the block');
    const offset = input[i]! | (input[i + 1]! << 8);
    i += 2;
    let match = (token & 15) + 4;
    if ((token & 15) === 15) {
      for (let b = 255; b === 255; ) {
        if (i >= end) throw new Lz4Error('a match length runs past the block');
        b = input[i++]!;
        match += b;
      }
    }
    if (offset === 0 || offset > o) throw new Lz4Error(`a match reaches ${offset} bytes back from byte ${o}`);
    if (o + match > length) throw new Lz4Error('a match runs past the page');
    copyBack(out, o, offset, match);
    o += match;
  }
  if (o !== length) throw new Lz4Error(`the block decodes to ${o} bytes, not the page's ${length}`);
}

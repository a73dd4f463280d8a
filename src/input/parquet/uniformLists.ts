/**
 * Whether a page's repetition levels (max 1, so one bit each, in the hybrid encoding) are those of
 * lists that all hold `width` values, the page starting at a row: level k is 0 exactly when
 * k % width = 0. Told from the runs without decoding a level each: an RLE run of 0s must be one
 * row start (or all rows, for width 1), an RLE run of 1s must stay inside one row, and each byte of
 * a bit-packed run must be the byte that pattern has at its place. Then the rows need no offsets
 * read: row r starts at value r · width. The lists of a prediction dump (FixedSizeList, or a
 * List of C probabilities) nearly always are; any page that is not goes through the level decoder.
 */

import { runHeader } from './hybrid.ts';

/** The expected bit-packed byte when its first value is at position ≡ r (mod width): bit b set iff (r + b) % width ≠ 0. */
function expectedBytes(width: number): Uint8Array {
  const table = new Uint8Array(width);
  for (let r = 0; r < width; r++) {
    let byte = 0;
    for (let b = 0; b < 8; b++) if ((r + b) % width !== 0) byte |= 1 << b;
    table[r] = byte;
  }
  return table;
}

const tables = new Map<number, Uint8Array>();

/** Checks the levels of `entries` values in bytes [from, end) against lists of `width`. */
export function isUniform(bytes: Uint8Array, from: number, end: number, entries: number, width: number): boolean {
  if (width < 1 || entries % width !== 0) return false;
  let table = tables.get(width);
  if (!table) tables.set(width, (table = expectedBytes(width)));
  let i = from;
  let pos = 0;
  while (pos < entries) {
    const packed = runHeader(bytes, i, end);
    if (packed < 0) return false;
    const header = Math.floor(packed / 8);
    i += packed % 8;
    if (header % 2 === 0) {
      if (header === 0 || i >= end) return false;
      const run = Math.min(header / 2, entries - pos);
      const value = bytes[i++]!;
      const r = pos % width;
      if (value === 0) {
        if (width !== 1 && (run !== 1 || r !== 0)) return false;
      } else if (value !== 1 || width === 1 || r === 0 || r + run > width) {
        return false;
      }
      pos += run;
    } else {
      const groups = Math.floor(header / 2);
      if (i + groups > end) return false;
      const take = Math.min(groups * 8, entries - pos);
      let r = pos % width;
      const whole = take >>> 3;
      for (let j = 0; j < whole; j++) {
        if (bytes[i + j] !== table[r]) return false;
        r += 8; // mod width, without a division
        while (r >= width) r -= width;
      }
      const rest = take & 7;
      if (rest > 0) {
        const mask = (1 << rest) - 1;
        if ((bytes[i + whole]! & mask) !== (table[r]! & mask)) return false;
      }
      i += groups;
      pos += take;
    }
  }
  return true;
}

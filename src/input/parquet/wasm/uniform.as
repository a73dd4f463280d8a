/**
 * Whether a page's repetition levels (max 1: one bit each, in the RLE / bit-packed hybrid
 * encoding, bytes [p, end)) are those of lists that all hold `width` values, the page starting at
 * a row: level k is 0 exactly when k % width = 0 (what uniformLists.ts isUniform tells in JS, from
 * the runs, without a level decoded each). An RLE run of 0s must be one row start (or all rows,
 * for width 1), an RLE run of 1s must stay inside one row, and each byte of a bit-packed run must
 * be the pattern's byte at its place: bit b set iff (r + b) % width != 0, r = its first level's
 * position in its row. Returns 1 when they are, else 0.
 */
import { readRunHeader, runHeader } from './runHeader';

export function uniformLevels(p: usize, end: usize, entries: i32, width: i32): i32 {
  if (width < 1 || entries < 0 || entries % width != 0) return 0;
  const total = <u64>entries;
  const w = <u32>width;
  let pos: u64 = 0;
  while (pos < total) {
    p = readRunHeader(p, end);
    if (p == 0) return 0;
    const header = runHeader;
    if ((header & 1) == 0) {
      if (header == 0 || p >= end) return 0;
      const run = min(header >> 1, total - pos);
      const value = load<u8>(p++);
      const r = <u32>(pos % <u64>w);
      if (value == 0) {
        if (w != 1 && (run != 1 || r != 0)) return 0;
      } else if (value != 1 || w == 1 || r == 0 || <u64>r + run > <u64>w) {
        return 0;
      }
      pos += run;
      continue;
    }
    const groups = header >> 1;
    if (groups > <u64>(end - p)) return 0;
    const take = min(groups * 8, total - pos);
    let r = <u32>(pos % <u64>w);
    const whole = <usize>(take >> 3);
    for (let j: usize = 0; j < whole; j++) {
      if (<u32>load<u8>(p + j) != expected(r, w)) return 0;
      r += 8; // mod w, without a division
      while (r >= w) r -= w;
    }
    const rest = <u32>(take & 7);
    if (rest > 0) {
      const keep = (<u32>1 << rest) - 1;
      if ((<u32>load<u8>(p + whole) & keep) != (expected(r, w) & keep)) return 0;
    }
    p += <usize>groups;
    pos += take;
  }
  return 1;
}

/** The bit-packed byte whose first level sits at position r of a row of w: bit b set iff (r + b) % w != 0. */
@inline function expected(r: u32, w: u32): u32 {
  let byte: u32 = 0xff;
  for (let b = r == 0 ? 0 : w - r; b < 8; b += w) byte &= ~(<u32>1 << b);
  return byte;
}

/**
 * Dictionary indices decoded straight into the values they name (what hybrid.ts decodeIndexed
 * does in JS): out[k] = dict[index k] for `count` indices of `bitWidth` bits, in runs of the
 * RLE / bit-packed hybrid encoding in bytes [p, end):
 *   header h even: h / 2 copies of one index, stored in ceil(bitWidth / 8) bytes, little-endian;
 *   header h odd:  (h >> 1) groups of 8 indices, bit-packed, least significant bit first:
 *                  index k = bits [k·w, (k+1)·w) of the run, read as one unaligned u64 at byte
 *                  (k·w) >> 3 shifted right by (k·w) & 7 and masked (w + 7 <= 39 bits fit).
 * An index past the dictionary (>= size), a run past `end` or an RLE run of length 0 returns 1.
 * The u64 loads read up to 7 bytes past a run's end: the JS side leaves slack after every region.
 */
import { readRunHeader, runHeader } from './runHeader';

/** 4-byte values (f32, i32, u32). */
export function gather32(p: usize, end: usize, bitWidth: i32, count: i32, dict: usize, size: u32, out: usize): i32 {
  return gather(p, end, bitWidth, count, dict, size, out, 4);
}

/** 8-byte values (f64, i64, u64). */
export function gather64(p: usize, end: usize, bitWidth: i32, count: i32, dict: usize, size: u32, out: usize): i32 {
  return gather(p, end, bitWidth, count, dict, size, out, 8);
}

@inline function gather(p: usize, end: usize, bitWidth: i32, count: i32, dict: usize, size: u32, out: usize, width: usize): i32 {
  if (bitWidth < 0 || bitWidth > 32) return 1;
  const mask: u64 = (<u64>1 << <u64>bitWidth) - 1;
  const valueBytes = <usize>((bitWidth + 7) >> 3);
  let n: usize = 0;
  const total = <usize>count;
  while (n < total) {
    p = readRunHeader(p, end);
    if (p == 0) return 1;
    const header = runHeader;
    const left = <u64>(total - n);
    if ((header & 1) == 0) {
      if (header == 0) return 1;
      const run = <usize>min(header >> 1, left);
      if (valueBytes > end - p) return 1;
      let index: u32 = 0;
      for (let k: usize = 0; k < valueBytes; k++) index |= <u32>load<u8>(p + k) << (<u32>k * 8);
      p += valueBytes;
      if (index >= size) return 1;
      const to = out + n * width;
      const stop = to + run * width;
      if (width == 4) {
        const v = load<u32>(dict + <usize>index * 4);
        for (let q = to; q < stop; q += 4) store<u32>(q, v);
      } else {
        const v = load<u64>(dict + <usize>index * 8);
        for (let q = to; q < stop; q += 8) store<u64>(q, v);
      }
      n += run;
      continue;
    }
    const groups = header >> 1;
    const bytes = groups * <u64>bitWidth;
    if (bytes > <u64>(end - p)) return 1;
    const take = <usize>min(groups * 8, left);
    if (bitWidth == 0) {
      if (size == 0) return 1;
      const to = out + n * width;
      const stop = to + take * width;
      if (width == 4) {
        const v = load<u32>(dict);
        for (let q = to; q < stop; q += 4) store<u32>(q, v);
      } else {
        const v = load<u64>(dict);
        for (let q = to; q < stop; q += 8) store<u64>(q, v);
      }
    } else {
      // An index past the dictionary reads its entry 0 instead, and fails the call after the run.
      let bad: u32 = 0;
      let bit: usize = 0;
      const w = <usize>bitWidth;
      let q = out + n * width;
      const stop = q + take * width;
      if (width == 4) {
        for (; q < stop; q += 4, bit += w) {
          const index = <u32>((load<u64>(p + (bit >> 3)) >> <u64>(bit & 7)) & mask);
          const inside = index < size;
          bad |= <u32>!inside;
          store<u32>(q, load<u32>(dict + <usize>select<u32>(index, 0, inside) * 4));
        }
      } else {
        for (; q < stop; q += 8, bit += w) {
          const index = <u32>((load<u64>(p + (bit >> 3)) >> <u64>(bit & 7)) & mask);
          const inside = index < size;
          bad |= <u32>!inside;
          store<u64>(q, load<u64>(dict + <usize>select<u32>(index, 0, inside) * 8));
        }
      }
      if (bad != 0) return 1;
    }
    p += <usize>bytes;
    n += take;
  }
  return 0;
}

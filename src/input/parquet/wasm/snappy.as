/**
 * Snappy's raw block format (a SNAPPY page; what ../snappy.ts decodes in JS): a varint of the
 * decoded length, then elements, each led by a tag byte whose low two bits say which:
 *   00 literal: length - 1 in the tag's high six bits (60..63: the length - 1 follows in 1..4
 *      bytes, little-endian), then the bytes;
 *   01 copy: length 4 + bits 2..4, offset bits 5..7 (high) and one more byte (low);
 *   10 copy: length 1 + bits 2..7, a 2-byte offset;   11 copy: the same with a 4-byte offset.
 * A copy repeats `length` bytes from `offset` back in the output. Decodes [p, p + length) into
 * [out, out + outLength), which must be what the block declares; returns 0, or 1 for a block that
 * is corrupt (a length or an offset out of bounds). Short copies move 8 bytes at a time, writing
 * up to 7 bytes past their end (inside the output, or in the slack the JS side leaves after it).
 */
export function snappy(p: usize, length: usize, out: usize, outLength: usize): i32 {
  const end = p + length;
  let declared: u64 = 0;
  let k: u64 = 0;
  for (; ; k++) {
    if (k == 5 || p >= end) return 1;
    const b = <u64>load<u8>(p++);
    declared |= (b & 0x7f) << (7 * k);
    if ((b & 0x80) == 0) break;
  }
  if (declared != <u64>outLength) return 1;
  let o: usize = 0;
  while (p < end) {
    const tag = <u32>load<u8>(p++);
    const kind = tag & 3;
    if (kind == 0) {
      let len = <u64>(tag >> 2) + 1;
      if (len > 60) {
        const bytes = <usize>len - 60;
        if (bytes > end - p) return 1;
        len = 1;
        for (let j: usize = 0; j < bytes; j++) len += <u64>load<u8>(p + j) << (<u64>j * 8);
        p += bytes;
      }
      if (len > <u64>(end - p) || len > <u64>(outLength - o)) return 1;
      memory.copy(out + o, p, <usize>len);
      p += <usize>len;
      o += <usize>len;
      continue;
    }
    let n: usize;
    let offset: usize;
    if (kind == 1) {
      if (p >= end) return 1;
      n = <usize>((tag >> 2) & 7) + 4;
      offset = (<usize>(tag >> 5) << 8) | <usize>load<u8>(p++);
    } else if (kind == 2) {
      if (end - p < 2) return 1;
      n = <usize>(tag >> 2) + 1;
      offset = <usize>load<u16>(p);
      p += 2;
    } else {
      if (end - p < 4) return 1;
      n = <usize>(tag >> 2) + 1;
      offset = <usize>load<u32>(p);
      p += 4;
    }
    if (offset == 0 || offset > o || n > outLength - o) return 1;
    const to = out + o;
    const from = to - offset;
    if (offset >= 8) {
      // Each 8-byte step reads bytes already written (offset >= 8): the pattern repeats right.
      for (let j: usize = 0; j < n; j += 8) store<u64>(to + j, load<u64>(from + j));
    } else {
      for (let j: usize = 0; j < n; j++) store<u8>(to + j, load<u8>(from + j));
    }
    o += n;
  }
  return o == outLength ? 0 : 1;
}

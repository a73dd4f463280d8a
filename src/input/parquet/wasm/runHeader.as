/**
 * The ULEB128 header that leads each run of Parquet's RLE / bit-packed hybrid encoding, at most 5
 * bytes. readRunHeader leaves the value in `runHeader` and returns the byte after it, or 0 when the
 * header runs past `end` or is longer than 5 bytes (0 is never a valid position: the JS side lays
 * its regions out above the module's static data).
 */
export let runHeader: u64 = 0;

@inline export function readRunHeader(p: usize, end: usize): usize {
  let value: u64 = 0;
  for (let k: u64 = 0; k < 5; k++) {
    if (p >= end) return 0;
    const b = <u64>load<u8>(p++);
    value |= (b & 0x7f) << (7 * k);
    if ((b & 0x80) == 0) {
      runHeader = value;
      return p;
    }
  }
  return 0;
}

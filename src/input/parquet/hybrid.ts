/**
 * Parquet's RLE / bit-packed hybrid encoding (repetition and definition levels, dictionary
 * indices, RLE booleans): runs, each led by a ULEB128 header h:
 *   h even: an RLE run of h / 2 copies of one value, stored in ceil(bitWidth / 8) bytes, little-endian;
 *   h odd:  (h >> 1) groups of 8 values bit-packed, bitWidth bits each, least significant bit first.
 * The last bit-packed group may be padded past the values wanted. Every value is checked against
 * the largest one allowed (a level's maximum, a dictionary's last index) as it is decoded, and the
 * values equal to it are counted (a definition level's maximum means a value is stored).
 */
import { ParquetFormatError } from './metadata.ts';

/** An array the decoder writes values into. */
export type HybridOut = Uint8Array | Int32Array;

/**
 * Decodes `count` values from bytes [from, end) of `input` into out[0, count), each at most
 * `max`, in bitWidth bits (default: the fewest that hold `max`). Returns how many equal `max`
 * (when `countMax`, else 0). A run past `end`, or a value above `max`, is a ParquetFormatError.
 */
export function decodeHybrid(input: Uint8Array, from: number, end: number, max: number, count: number, out: HybridOut, countMax: boolean, bitWidth = bitsFor(max)): number {
  if (bitWidth === 0) {
    out.fill(0, 0, count);
    return max === 0 && countMax ? count : 0;
  }
  if (bitWidth > 32) throw new ParquetFormatError(`a bit width of ${bitWidth} (at most 32)`);
  let i = from;
  let n = 0;
  let equal = 0;
  const valueBytes = (bitWidth + 7) >>> 3;
  while (n < count) {
    const packed = runHeader(input, i, end);
    if (packed < 0) throw new ParquetFormatError(`levels or indices end after ${n} of ${count} values (or a run header is longer than 5 bytes)`);
    const header = Math.floor(packed / 8);
    i += packed % 8;
    if (header % 2 === 0) {
      if (header === 0) throw new ParquetFormatError('an RLE run of length 0');
      const run = Math.min(header / 2, count - n);
      const value = rleValue(input, i, end, valueBytes);
      i += valueBytes;
      if (value > max) throw new ParquetFormatError(`a value of ${value} where at most ${max} is allowed`);
      // Levels come in many short runs (a list's 0, then its 1s): a loop beats fill's call for them.
      if (run < 64) for (let k = n; k < n + run; k++) out[k] = value;
      else out.fill(value, n, n + run);
      if (value === max) equal += run;
      n += run;
    } else {
      const groups = Math.floor(header / 2);
      const bytes = groups * bitWidth;
      if (i + bytes > end) throw new ParquetFormatError('a bit-packed run ends past its page');
      const take = Math.min(groups * 8, count - n);
      if (bitWidth === 1) {
        // Inline: most bit-packed level runs are one or two groups.
        const whole = take >>> 3;
        for (let g = 0; g < whole; g++) {
          const b = input[i + g]!;
          const o = n + 8 * g;
          out[o] = b & 1;
          out[o + 1] = (b >>> 1) & 1;
          out[o + 2] = (b >>> 2) & 1;
          out[o + 3] = (b >>> 3) & 1;
          out[o + 4] = (b >>> 4) & 1;
          out[o + 5] = (b >>> 5) & 1;
          out[o + 6] = (b >>> 6) & 1;
          out[o + 7] = b >>> 7;
        }
        for (let k = whole * 8; k < take; k++) out[n + k] = (input[i + (k >>> 3)]! >>> (k & 7)) & 1;
      } else if (i + bytes + 5 <= input.length) {
        unpack(input, i, bitWidth, take, out, n);
      } else {
        // At the end of the buffer: from a padded copy, so that the loop never reads past an array (a slow path in V8).
        const padded = new Uint8Array(bytes + 8);
        padded.set(input.subarray(i, i + bytes));
        unpack(padded, 0, bitWidth, take, out, n);
      }
      // Check (when max does not fill its bits) and count.
      if (max !== 2 ** bitWidth - 1 || countMax) {
        for (let k = n; k < n + take; k++) {
          const v = out[k]!;
          if (v === max) equal++;
          else if (v >>> 0 > max) throw new ParquetFormatError(`a value of ${v >>> 0} where at most ${max} is allowed`);
        }
      }
      i += bytes;
      n += take;
    }
  }
  return countMax ? equal : 0;
}

/**
 * The ULEB128 run header at byte `at`: its value times 8 plus its length in bytes (1 to 5), in one
 * number (exact: a header is below 2^35); -1 when it runs past `end` or is longer than 5 bytes.
 */
export function runHeader(input: Uint8Array, at: number, end: number): number {
  let header = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 5; i++) {
    const b = input[i]!;
    header += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return header * 8 + (i + 1 - at);
    scale *= 128;
  }
  return -1;
}

/** An RLE run's value: `valueBytes` bytes at `at`, little-endian; past `end` is a ParquetFormatError. */
function rleValue(input: Uint8Array, at: number, end: number, valueBytes: number): number {
  if (at + valueBytes > end) throw new ParquetFormatError('an RLE run ends inside its value');
  let value = 0;
  for (let k = 0; k < valueBytes; k++) value += input[at + k]! * 2 ** (8 * k);
  return value;
}

/** Bits that hold values up to `max`. */
export function bitsFor(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

/**
 * `count` values of `bitWidth` bits, least significant bit first, from byte `from` on:
 * value k = bits [k·w, (k+1)·w) of the little-endian bit string.
 */
function unpack(input: Uint8Array, from: number, bitWidth: number, count: number, out: HybridOut, at: number): void {
  const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1;
  if (count * bitWidth >= 2 ** 32) throw new ParquetFormatError(`a bit-packed run of ${count} values is too long`);
  let bit = 0; // from the run's first byte, below 2^32
  for (let k = 0; k < count; k++, bit += bitWidth) {
    const byte = from + (bit >>> 3);
    const shift = bit & 7;
    // Up to 5 bytes hold the value (the caller makes sure all 5 are in `input`).
    const low = (input[byte]! | (input[byte + 1]! << 8) | (input[byte + 2]! << 16) | (input[byte + 3]! << 24)) >>> shift;
    const value = shift + bitWidth <= 32 ? low : low | (input[byte + 4]! << (32 - shift));
    out[at + k] = value & mask;
  }
}

/** What decodeIndexed writes: the dictionary's values, into an array of their kind. */
export type IndexedArray = Float32Array | Float64Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/**
 * Dictionary indices decoded straight into the values they name: out[k] = dictionary[index k]
 * for `count` indices of `bitWidth` bits in bytes [from, end); an index past the dictionary is a
 * ParquetFormatError. One pass, no index array in between.
 */
export function decodeIndexed(input: Uint8Array, from: number, end: number, bitWidth: number, count: number, dictionary: IndexedArray, out: IndexedArray): void {
  const size = dictionary.length;
  if (bitWidth > 32) throw new ParquetFormatError(`a bit width of ${bitWidth} (at most 32)`);
  const valueBytes = (bitWidth + 7) >>> 3;
  let i = from;
  let n = 0;
  while (n < count) {
    const packed = runHeader(input, i, end);
    if (packed < 0) throw new ParquetFormatError(`dictionary indices end after ${n} of ${count} (or a run header is longer than 5 bytes)`);
    const header = Math.floor(packed / 8);
    i += packed % 8;
    if (header % 2 === 0) {
      if (header === 0) throw new ParquetFormatError('an RLE run of length 0');
      const run = Math.min(header / 2, count - n);
      const index = rleValue(input, i, end, valueBytes);
      i += valueBytes;
      if (index >= size) throw new ParquetFormatError(`dictionary index ${index} of a dictionary of ${size}`);
      out.fill(dictionary[index]! as never, n, n + run);
      n += run;
      continue;
    }
    const groups = Math.floor(header / 2);
    const bytes = groups * bitWidth;
    if (i + bytes > end) throw new ParquetFormatError('a bit-packed run ends past its page');
    const take = Math.min(groups * 8, count - n);
    if (bitWidth === 0) {
      if (size === 0) throw new ParquetFormatError('dictionary index 0 of an empty dictionary');
      out.fill(dictionary[0]! as never, n, n + take);
    } else if (bitWidth <= 24) {
      // Bits accumulate a byte at a time (never more than 31 held): value k = the low bitWidth bits, then shifted out.
      const mask = (1 << bitWidth) - 1;
      let acc = 0;
      let held = 0;
      let p = i;
      for (let k = n; k < n + take; k++) {
        while (held < bitWidth) {
          acc |= input[p++]! << held;
          held += 8;
        }
        const index = acc & mask;
        acc >>= bitWidth; // acc < 2^31 (at most 23 bits held when a byte comes in): >> keeps it an int32
        held -= bitWidth;
        if (index >= size) throw new ParquetFormatError(`dictionary index ${index} of a dictionary of ${size}`);
        out[k] = dictionary[index]!;
      }
    } else {
      const indices = new Int32Array(take);
      const padded = new Uint8Array(bytes + 8);
      padded.set(input.subarray(i, i + bytes));
      unpack(padded, 0, bitWidth, take, indices, 0);
      for (let k = 0; k < take; k++) {
        const index = indices[k]! >>> 0;
        if (index >= size) throw new ParquetFormatError(`dictionary index ${index} of a dictionary of ${size}`);
        out[n + k] = dictionary[index]!;
      }
    }
    i += bytes;
    n += take;
  }
}

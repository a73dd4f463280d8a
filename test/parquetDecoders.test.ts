/**
 * The lean Parquet reader's decoders, on bytes written here by hand from their formats' specs
 * (Snappy's and LZ4's block formats, Parquet's RLE / bit-packed hybrid, Thrift's compact
 * protocol), each with the corrupt cases it must refuse; and the uniform-list check against a
 * level-by-level check on random level runs.
 */
import { describe, expect, it } from 'vitest';
import { decodeHybrid, decodeIndexed } from '../src/input/parquet/hybrid.ts';
import { Lz4Error, lz4RawDecode } from '../src/input/parquet/lz4Raw.ts';
import { ParquetFormatError } from '../src/input/parquet/metadata.ts';
import { snappyDecode, SnappyError, snappyLength } from '../src/input/parquet/snappy.ts';
import { ThriftError, ThriftReader } from '../src/input/parquet/thrift.ts';
import { isUniform } from '../src/input/parquet/uniformLists.ts';
import { bitPacked, encodeLevels, rle } from './support/hybrid.ts';
import { rng as seeded } from './support/rng.ts';

const bytes = (...b: (number | string)[]): Uint8Array =>
  new Uint8Array(b.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])));
const text = (b: Uint8Array): string => String.fromCharCode(...b);

describe('snappy', () => {
  const decode = (block: Uint8Array): string => {
    const out = new Uint8Array(snappyLength(block));
    snappyDecode(block, out);
    return text(out);
  };

  it('literals, 1-, 2- and 4-byte-offset copies, overlapping copies, long literals', () => {
    expect(decode(bytes(5, 0x10, 'hello'))).toBe('hello');
    // "ab", then a copy of 6 from 2 back (1-byte offset: length 4 + 2 in bits 2..4): overlapping.
    expect(decode(bytes(8, 0x04, 'ab', 0x01 | (2 << 2), 2))).toBe('abababab');
    // "abc", then a copy of 3 from 3 back with a 2-byte offset (length - 1 in bits 2..7).
    expect(decode(bytes(6, 0x08, 'abc', 0x02 | (2 << 2), 3, 0))).toBe('abcabc');
    expect(decode(bytes(6, 0x08, 'abc', 0x03 | (2 << 2), 3, 0, 0, 0))).toBe('abcabc');
    // A literal of 100: tag 60 << 2, then length - 1 in one byte.
    const hundred = 'x'.repeat(99) + 'y';
    expect(decode(bytes(100, 60 << 2, 99, hundred))).toBe(hundred);
  });

  it('refuses a copy from before the start, a zero offset, a wrong length, a cut block', () => {
    const fails = (block: Uint8Array, out = snappyLength(block)) => () => snappyDecode(block, new Uint8Array(out));
    expect(fails(bytes(6, 0x04, 'ab', 0x01 | (0 << 2), 3))).toThrow(SnappyError);
    expect(fails(bytes(6, 0x04, 'ab', 0x01, 0))).toThrow(/reaches 0 bytes back/);
    expect(fails(bytes(5, 0x10, 'hello'), 6)).toThrow(/declares 5 bytes, 6 expected/);
    expect(fails(bytes(5, 0x10, 'hel'))).toThrow(SnappyError);
    expect(fails(bytes(9, 0x10, 'hello'))).toThrow(/decodes to 5 bytes/);
    expect(() => snappyLength(bytes(0x80, 0x80))).toThrow(SnappyError);
  });
});

describe('lz4 raw blocks', () => {
  const decode = (block: Uint8Array, length: number): string => {
    const out = new Uint8Array(length);
    lz4RawDecode(block, out);
    return text(out);
  };

  it('literals and matches, extended lengths, overlapping matches', () => {
    // 3 literals, a match of 6 (4 + 2) from 3 back, then an empty last sequence.
    expect(decode(bytes(0x32, 'abc', 3, 0, 0x00), 9)).toBe('abcabcabc');
    // 20 literals: 15 in the token, 5 more in the next byte.
    expect(decode(bytes(0xf0, 5, 'abcdefghijklmnopqrst'), 20)).toBe('abcdefghijklmnopqrst');
    // 1 literal, a match of 4 + 15 + 2 = 21 from 1 back.
    expect(decode(bytes(0x1f, 'z', 1, 0, 2), 22)).toBe('z'.repeat(22));
  });

  it('refuses a match from before the start, a zero offset, a page that does not fill', () => {
    expect(() => decode(bytes(0x32, 'abc', 4, 0, 0x00), 9)).toThrow(Lz4Error);
    expect(() => decode(bytes(0x32, 'abc', 0, 0, 0x00), 9)).toThrow(/reaches 0 bytes back/);
    expect(() => decode(bytes(0x30, 'abc'), 9)).toThrow(/decodes to 3 bytes/);
    expect(() => decode(bytes(0x32, 'abc', 3, 0, 0x00), 8)).toThrow(/runs past the page/);
  });
});

describe('the RLE / bit-packed hybrid', () => {
  it('decodes RLE and bit-packed runs of any width, and counts the values at the maximum', () => {
    const out = new Uint8Array(13);
    const input = new Uint8Array([...rle(3, 5, 2), ...bitPacked([0, 1, 2, 3, 3, 2, 1, 0], 2)]);
    expect(decodeHybrid(input, 0, input.length, 3, 13, out, true)).toBe(7);
    expect([...out]).toEqual([3, 3, 3, 3, 3, 0, 1, 2, 3, 3, 2, 1, 0]);
    const rng = seeded(5);
    for (const width of [1, 3, 7, 8, 13, 18, 24, 25, 31]) {
      const values = Array.from({ length: 37 }, () => Math.floor(rng() * 2 ** width));
      const wide = new Int32Array(37);
      const packed = new Uint8Array(bitPacked(values, width));
      decodeHybrid(packed, 0, packed.length, 2 ** width - 1, 37, wide, false);
      expect([...wide]).toEqual(values);
    }
  });

  it('refuses a value above the maximum, a run past its bytes, an empty RLE run', () => {
    const out = new Uint8Array(8);
    const over = new Uint8Array(rle(3, 8, 2));
    expect(() => decodeHybrid(over, 0, over.length, 2, 8, out, true)).toThrow(/a value of 3 where at most 2/);
    const packed = new Uint8Array(bitPacked([0, 1, 2, 3, 0, 1, 2, 3], 2));
    expect(() => decodeHybrid(packed, 0, packed.length, 2, 8, out, true)).toThrow(/a value of 3 where at most 2/);
    expect(() => decodeHybrid(packed, 0, packed.length - 1, 3, 8, out, true)).toThrow(ParquetFormatError);
    expect(() => decodeHybrid(new Uint8Array([0, 1]), 0, 2, 1, 8, out, true)).toThrow(/length 0/);
    expect(() => decodeHybrid(new Uint8Array(rle(1, 4, 1)), 0, 2, 1, 8, out, true)).toThrow(/end after 4 of 8/);
  });

  it('decodes dictionary indices into the values they name, and refuses one past the dictionary', () => {
    const dictionary = new Float64Array([10, 20, 30]);
    const out = new Float64Array(11);
    const input = new Uint8Array([...bitPacked([2, 0, 1, 2, 2, 1, 0, 0], 2), ...rle(1, 3, 2)]);
    decodeIndexed(input, 0, input.length, 2, 11, dictionary, out);
    expect([...out]).toEqual([30, 10, 20, 30, 30, 20, 10, 10, 20, 20, 20]);
    const past = new Uint8Array(bitPacked([0, 3, 0, 0, 0, 0, 0, 0], 2));
    expect(() => decodeIndexed(past, 0, past.length, 2, 8, dictionary, out)).toThrow(/dictionary index 3 of a dictionary of 3/);
    const wide = new Uint8Array(bitPacked([0, 1, 2, 2 ** 26], 27));
    expect(() => decodeIndexed(wide, 0, wide.length, 27, 4, dictionary, out)).toThrow(/dictionary index 67108864/);
  });
});

describe('uniform lists from their level runs', () => {
  const direct = (levels: readonly number[], width: number): boolean =>
    levels.length % width === 0 && levels.every((v, k) => v === (k % width === 0 ? 0 : 1));

  it('agrees with a level-by-level check, on uniform pages and on pages one level off', () => {
    const rng = seeded(9);
    let uniform = 0;
    for (let trial = 0; trial < 400; trial++) {
      const width = 1 + Math.floor(rng() * 12);
      const rows = 1 + Math.floor(rng() * 30);
      const levels: number[] = Array.from({ length: rows * width }, (_, k) => (k % width === 0 ? 0 : 1));
      if (trial % 2 === 1) {
        const at = Math.floor(rng() * levels.length);
        levels[at] = 1 - levels[at]!;
      }
      const encoded = encodeLevels(levels, rng);
      for (const w of [width, width + 1, Math.max(1, width - 1)]) {
        const expected = direct(levels, w);
        expect(isUniform(encoded, 0, encoded.length, levels.length, w)).toBe(expected);
        if (expected) uniform++;
      }
    }
    expect(uniform).toBeGreaterThan(150);
  });
});

describe('thrift compact', () => {
  it('reads ints, binary, lists, nested structs and bools', () => {
    // 1: i32 -3 (zigzag 5); 2: binary "ab"; 3: list<i32> [1, 2]; 4: struct { 1: true }; stop.
    const s = new ThriftReader(bytes(0x15, 5, 0x18, 2, 'ab', 0x19, 0x25, 2, 4, 0x1c, 0x11, 0, 0)).readStruct();
    expect(s.get(1)).toBe(-3);
    expect(text(s.get(2) as Uint8Array)).toBe('ab');
    expect(s.get(3)).toEqual([1, 2]);
    expect((s.get(4) as Map<number, unknown>).get(1)).toBe(true);
  });

  it('refuses a cut struct, a list longer than its bytes, nesting past its bound', () => {
    expect(() => new ThriftReader(bytes(0x15)).readStruct()).toThrow(ThriftError);
    expect(() => new ThriftReader(bytes(0x19, 0xf5, 0xff, 0xff, 0x7f)).readStruct()).toThrow(/ends past/);
    expect(() => new ThriftReader(new Uint8Array(64).fill(0x1c)).readStruct()).toThrow(/deeper than 32/);
  });
});

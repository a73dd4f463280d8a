/**
 * The lean Parquet reader's wasm decoder (pages.wasm through src/input/parquet/pageDecoder.ts),
 * on bytes made here from the formats' specs with the values they must decode to known by
 * construction: dictionary indices of every bit width in RLE and bit-packed runs, Snappy blocks
 * of literals and copies (overlapping, every offset size, long literals), repetition levels of
 * uniform and not-quite-uniform lists. Each answer is also held to the JS decoder's on the same
 * bytes, corrupt ones included: where the wasm code declines, the JS decoder must throw.
 */
import { describe, expect, it, vi } from 'vitest';
import { decodeIndexed, type IndexedArray } from '../src/input/parquet/hybrid.ts';
import { ParquetFormatError } from '../src/input/parquet/metadata.ts';
import { PageDecoder } from '../src/input/parquet/pageDecoder.ts';
import { snappyDecode, SnappyError } from '../src/input/parquet/snappy.ts';
import { isUniform } from '../src/input/parquet/uniformLists.ts';
import { bitPacked, encodeLevels, rle, uleb } from './support/hybrid.ts';
import { rng as seeded } from './support/rng.ts';

function decoder(): PageDecoder {
  const d = PageDecoder.create();
  if (d === null) throw new Error('pages.wasm did not load');
  return d;
}

/** `bytes` copied into the decoder's memory. */
function placed(d: PageDecoder, bytes: ArrayLike<number>): Uint8Array {
  const view = d.alloc(bytes.length)!;
  view.set(bytes);
  return view;
}

function typed<T extends IndexedArray>(d: PageDecoder, Kind: { new (b: ArrayBuffer, o: number, n: number): T; BYTES_PER_ELEMENT: number }, n: number): T {
  const bytes = d.alloc(n * Kind.BYTES_PER_ELEMENT)!;
  return new Kind(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
}

describe('dictionary indices in wasm', () => {
  /** A hybrid stream of `indices`, cut into random RLE and bit-packed runs. */
  function encodeIndices(indices: readonly number[], width: number, rng: () => number): number[] {
    const out: number[] = [];
    let k = 0;
    while (k < indices.length) {
      if (rng() < 0.3) {
        let run = 1;
        while (k + run < indices.length && indices[k + run] === indices[k]) run++;
        out.push(...rle(indices[k]!, run, width));
        k += run;
      } else {
        const group = indices.slice(k, k + 8 * (1 + Math.floor(rng() * 4)));
        out.push(...bitPacked(group, width));
        k += group.length;
      }
    }
    return out;
  }

  it('decode every bit width, RLE and bit-packed, into f32, f64 and i64 values: dictionary[index], as the JS decoder does', () => {
    const rng = seeded(21);
    const d = decoder();
    for (let width = 0; width <= 32; width++) {
      for (const Kind of [Float32Array, Int32Array, Uint32Array, Float64Array, BigInt64Array] as const) {
        d.reset();
        const size = width === 0 ? 1 : Math.min(2 ** width, 300);
        const count = 1 + Math.floor(rng() * 200);
        // Indices below the dictionary's size but using the width's top bit where the size allows it.
        const indices = Array.from({ length: count }, () => (rng() < 0.2 ? size - 1 : Math.floor(rng() * size)));
        if (width > 9) indices[0] = 0; // a run of small indices in a wide stream
        const dictionary = typed(d, Kind as never, size) as IndexedArray;
        for (let i = 0; i < size; i++) (dictionary as unknown as (number | bigint)[])[i] = Kind === BigInt64Array ? BigInt(i * 7 - 50) : i * 0.5 - 3;
        const stream = placed(d, encodeIndices(indices, width, rng));
        const out = typed(d, Kind as never, count) as IndexedArray;
        expect(d.gather(stream, 0, stream.length, width, count, dictionary, out)).toBe(true);
        const expected = indices.map((i) => dictionary[i]);
        expect([...out]).toEqual(expected);
        const js = new Kind(count) as IndexedArray;
        decodeIndexed(stream, 0, stream.length, width, count, dictionary, js);
        expect([...js]).toEqual(expected);
      }
    }
  });

  it('decline what the JS decoder refuses: an index past the dictionary, a run past its bytes, an empty RLE run, a width past 32', () => {
    const d = decoder();
    const dictionary = typed(d, Float32Array, 3);
    dictionary.set([10, 20, 30]);
    const out = typed(d, Float32Array, 16);
    const cases: [number[], number, number][] = [
      [bitPacked([0, 3, 0, 0, 0, 0, 0, 0], 2), 2, 8],
      [rle(3, 4, 2), 2, 4],
      [bitPacked([0, 1, 2, 2, 1, 0, 0, 1], 2).slice(0, -1), 2, 8],
      [[0, 1], 2, 4],
      [rle(1, 4, 2), 2, 8],
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 2, 8],
      [bitPacked([0], 33), 33, 1],
    ];
    for (const [bytes, width, count] of cases) {
      const stream = placed(d, bytes);
      expect(d.gather(stream, 0, stream.length, width, count, dictionary, out), String(bytes)).toBe(false);
      expect(() => decodeIndexed(stream, 0, stream.length, width, count, dictionary, out), String(bytes)).toThrow(ParquetFormatError);
    }
  });

  it('decline arrays outside its memory, and an output shorter than the count', () => {
    const d = decoder();
    const stream = new Uint8Array(rle(1, 4, 2));
    const dictionary = typed(d, Float32Array, 3);
    expect(d.gather(stream, 0, stream.length, 2, 4, dictionary, typed(d, Float32Array, 4))).toBe(false);
    expect(d.gather(placed(d, stream), 0, stream.length, 2, 4, dictionary, new Float32Array(4))).toBe(false);
    expect(d.gather(placed(d, stream), 0, stream.length, 2, 4, dictionary, typed(d, Float32Array, 3))).toBe(false);
  });
});

describe('snappy in wasm', () => {
  /** A random block: literals and copies (every tag kind, overlapping ones), with what it decodes to. */
  function block(rng: () => number): { block: number[]; decoded: number[] } {
    const decoded: number[] = [];
    const body: number[] = [];
    const elements = 1 + Math.floor(rng() * 40);
    for (let e = 0; e < elements; e++) {
      const kind = decoded.length === 0 ? 0 : Math.floor(rng() * 4);
      if (kind === 0) {
        const long = rng() < 0.2;
        const length = long ? 61 + Math.floor(rng() * 400) : 1 + Math.floor(rng() * 60);
        if (long) {
          const bytes = length - 1 < 256 ? 1 : 2;
          body.push((59 + bytes) << 2, ...Array.from({ length: bytes }, (_, i) => ((length - 1) >> (8 * i)) & 0xff));
        } else {
          body.push((length - 1) << 2);
        }
        for (let i = 0; i < length; i++) {
          const b = Math.floor(rng() * 256);
          body.push(b);
          decoded.push(b);
        }
        continue;
      }
      // Offsets up to what is written; short ones (below the length) overlap what the copy writes.
      const offset = 1 + Math.floor(rng() * Math.min(decoded.length, rng() < 0.5 ? 9 : 2047));
      let length: number;
      if (kind === 1 && offset < 2048) {
        length = 4 + Math.floor(rng() * 8);
        body.push(1 | ((length - 4) << 2) | ((offset >> 8) << 5), offset & 0xff);
      } else {
        length = 1 + Math.floor(rng() * 64);
        if (kind === 3) body.push(3 | ((length - 1) << 2), offset & 0xff, (offset >> 8) & 0xff, 0, 0);
        else body.push(2 | ((length - 1) << 2), offset & 0xff, (offset >> 8) & 0xff);
      }
      for (let i = 0; i < length; i++) decoded.push(decoded[decoded.length - offset]!);
    }
    return { block: [...uleb(decoded.length), ...body], decoded };
  }

  it('decode random blocks to what they were made of, as the JS decoder does', () => {
    const rng = seeded(33);
    const d = decoder();
    for (let trial = 0; trial < 300; trial++) {
      d.reset();
      const { block: bytes, decoded } = block(rng);
      const input = placed(d, bytes);
      const out = d.alloc(decoded.length)!;
      expect(d.snappy(input, out)).toBe(true);
      expect([...out]).toEqual(decoded);
      const js = new Uint8Array(decoded.length);
      snappyDecode(input, js);
      expect([...js]).toEqual(decoded);
    }
  });

  it('write nothing into the next buffer (short copies write 8 bytes at a time, past the output only into its slack)', () => {
    const d = decoder();
    // "ab", then a copy of 9 from 8 back: the last step's store runs past the 11 bytes.
    const input = placed(d, [...uleb(19), 0x1c, ...'abcdefgh'.split('').map((c) => c.charCodeAt(0)), 2 | (10 << 2), 8, 0]);
    const out = d.alloc(19)!;
    const after = d.alloc(8)!;
    after.fill(0x55);
    expect(d.snappy(input, out)).toBe(true);
    expect(String.fromCharCode(...out)).toBe('abcdefghabcdefghabc');
    expect([...after]).toEqual(new Array(8).fill(0x55));
  });

  it('decline what the JS decoder refuses: a copy from before the start, a zero offset, a wrong length, a cut block, a literal past the block', () => {
    const d = decoder();
    const cases: [number[], number][] = [
      [[6, 0x04, 97, 98, 0x01, 3], 6],
      [[6, 0x04, 97, 98, 0x01, 0], 6],
      [[5, 0x10, 104, 101, 108, 108, 111], 6],
      [[5, 0x10, 104, 101, 108], 5],
      [[9, 0x10, 104, 101, 108, 108, 111], 9],
      [[0x80, 0x80], 0],
      [[8, 63 << 2, 0xff, 0xff, 0xff, 0xff, 1, 2, 3], 8],
      [[5, 0x10, 104, 101, 108, 108, 111, 0x02 | (3 << 2), 1], 5],
    ];
    for (const [bytes, length] of cases) {
      const input = placed(d, bytes);
      const out = d.alloc(length)!;
      expect(d.snappy(input, out), String(bytes)).toBe(false);
      expect(() => snappyDecode(input, new Uint8Array(length)), String(bytes)).toThrow(SnappyError);
    }
  });
});

describe('uniform lists in wasm', () => {
  it('tell uniform pages from pages one level off, as the JS check does', () => {
    const rng = seeded(44);
    const d = decoder();
    let uniform = 0;
    for (let trial = 0; trial < 600; trial++) {
      d.reset();
      const width = 1 + Math.floor(rng() * (trial % 3 === 0 ? 100 : 12));
      const rows = 1 + Math.floor(rng() * 30);
      const levels: number[] = Array.from({ length: rows * width }, (_, k) => (k % width === 0 ? 0 : 1));
      if (trial % 2 === 1) {
        const at = Math.floor(rng() * levels.length);
        levels[at] = 1 - levels[at]!;
      }
      const encoded = placed(d, encodeLevels(levels, rng));
      for (const w of [width, width + 1, Math.max(1, width - 1)]) {
        const expected = levels.length % w === 0 && levels.every((v, k) => v === (k % w === 0 ? 0 : 1));
        expect(d.uniform(encoded, 0, encoded.length, levels.length, w)).toBe(expected);
        expect(isUniform(encoded, 0, encoded.length, levels.length, w)).toBe(expected);
        if (expected) uniform++;
      }
      // Cut short, the levels are not those of the page.
      if (encoded.length > 1) expect(d.uniform(encoded, 0, encoded.length - 1, levels.length, width)).toBe(isUniform(encoded, 0, encoded.length - 1, levels.length, width));
    }
    expect(uniform).toBeGreaterThan(200);
    // RLE runs of one level each: a row start is a run of one 0 at a row's first place, never inside a row.
    const runs = (levels: number[]): Uint8Array => placed(d, levels.flatMap((v) => rle(v, 1, 1)));
    expect(d.uniform(runs([0, 1, 1, 0, 1, 1]), 0, 12, 6, 3)).toBe(true);
    expect(d.uniform(runs([0, 0, 1, 0, 1, 1]), 0, 12, 6, 3)).toBe(false);
    expect(isUniform(runs([0, 0, 1, 0, 1, 1]), 0, 12, 6, 3)).toBe(false);
    expect(d.uniform(runs([0, 1, 1, 0, 1, 2]), 0, 12, 6, 3)).toBe(false);
    expect(d.uniform(new Uint8Array(encodeLevels([0, 1, 0, 1], rng)), 0, 2, 4, 2)).toBeNull();
  });
});

describe('the decoder memory', () => {
  it('hands out aligned buffers until it is full, and all of them again after a reset', () => {
    const d = decoder();
    const a = d.alloc(3)!;
    const b = d.alloc(10)!;
    expect(a.byteOffset % 16).toBe(0);
    expect(b.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 3 + 16);
    expect(d.alloc(64 * 1024 * 1024)).toBeNull();
    d.reset();
    expect(d.alloc(1)!.byteOffset).toBe(a.byteOffset);
  });

  it('is off with FOCAL_EVAL_PARQUET_DECODER=js (the JS decoders read every page)', async () => {
    vi.stubEnv('FOCAL_EVAL_PARQUET_DECODER', 'js');
    vi.resetModules();
    try {
      const fresh = await import('../src/input/parquet/pageDecoder.ts');
      expect(fresh.PageDecoder.create()).toBeNull();
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

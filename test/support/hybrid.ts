/**
 * Test-side encoders of Parquet's RLE / bit-packed hybrid, written from the format's spec: a run
 * header (ULEB128 of count << 1 for RLE, groups << 1 | 1 for bit-packed), then the value or the
 * packed groups.
 */

/** A test-side encoder: values bit-packed LSB first, `width` bits each, padded to groups of 8. */
export function bitPacked(values: readonly number[], width: number): number[] {
  const groups = Math.ceil(values.length / 8);
  const out = new Array<number>(groups * width).fill(0);
  values.forEach((v, k) => {
    for (let b = 0; b < width; b++) if ((v >> b) & 1) out[(k * width + b) >> 3]! |= 1 << ((k * width + b) & 7);
  });
  return [...uleb((groups << 1) | 1), ...out];
}

/** An RLE run: `count` copies of `value`, in ceil(width / 8) bytes. */
export function rle(value: number, count: number, width: number): number[] {
  const valueBytes = Array.from({ length: (width + 7) >> 3 }, (_, i) => (value >> (8 * i)) & 0xff);
  return [...uleb(count << 1), ...valueBytes];
}

/** ULEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return out;
}

/** Levels encoded as a writer might: runs of 8+ equal values as RLE, the rest bit-packed a group at a time. */
export function encodeLevels(levels: readonly number[], rng: () => number): Uint8Array {
  const out: number[] = [];
  let k = 0;
  while (k < levels.length) {
    let run = 1;
    while (k + run < levels.length && levels[k + run] === levels[k]) run++;
    if (run >= 2 && rng() < 0.5) {
      out.push(...rle(levels[k]!, run, 1));
      k += run;
    } else {
      const group = levels.slice(k, k + 8);
      out.push(...bitPacked(group, 1));
      k += group.length;
    }
  }
  return new Uint8Array(out);
}

/**
 * Whole-batch checks that decide between the wasm path and the scalar fallback. Any failure
 * sends the batch to the scalar reference kernel, which then finds and reports (or counts) the
 * bad rows exactly as it always has.
 *
 *   finite:  every f32 value is finite           (|bits| < bits of +inf)
 *   probs:   every f32 value is in [0, 1]        (NaN fails both comparisons)
 *   targets: every u8 target is 0 or 1
 *   rows:    every label is the ignore index (when there is one) or in [0, C); the others are
 *            listed, in order, as the row list the kernels walk
 *
 * Value regions are padded by the caller to a multiple of 4 f32 (16 u8) with valid values.
 */

/** 1 when all `count` (rounded up to 4) f32 values at ptr are finite, else 0. */
export function allFinite(ptr: usize, count: i32): i32 {
  const end = ptr + ((<usize>count + 3) & ~3) * 4;
  const absMask = i32x4.splat(0x7fffffff);
  const inf = i32x4.splat(0x7f800000);
  let ok = i32x4.splat(-1);
  for (let p = ptr; p < end; p += 16) {
    ok = v128.and(ok, i32x4.lt_s(v128.and(v128.load(p), absMask), inf));
  }
  return i32x4.all_true(ok) ? 1 : 0;
}

/** 1 when all `count` (rounded up to 4) f32 values at ptr lie in [0, 1], else 0. */
export function allProbabilities(ptr: usize, count: i32): i32 {
  const end = ptr + ((<usize>count + 3) & ~3) * 4;
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  let ok = i32x4.splat(-1);
  for (let p = ptr; p < end; p += 16) {
    const v = v128.load(p);
    ok = v128.and(ok, v128.and(f32x4.ge(v, zero), f32x4.le(v, one)));
  }
  return i32x4.all_true(ok) ? 1 : 0;
}

/** 1 when all `count` (rounded up to 16) u8 targets at ptr are 0 or 1, else 0. */
export function allBinaryTargets(ptr: usize, count: i32): i32 {
  const end = ptr + ((<usize>count + 15) & ~15);
  let hi = i8x16.splat(0);
  for (let p = ptr; p < end; p += 16) hi = i8x16.max_u(hi, v128.load(p));
  return i8x16.all_true(i8x16.le_u(hi, i8x16.splat(1))) ? 1 : 0;
}

/**
 * Lists the rows to score: skips labels equal to `ignore` (when hasIgnore), and returns -1 at
 * the first label outside [0, C). Pads the list to a multiple of 4 with its last row; returns
 * the real length. The common batch (every label in range, none ignored) is recognised with a
 * vector scan and listed as 0..n-1 with vector stores.
 */
export function listRows(labels: usize, n: i32, C: i32, hasIgnore: i32, ignore: i32, rows: usize): i32 {
  if (allPlain(labels, n, C, hasIgnore, ignore)) {
    const four = i32x4.splat(4);
    let iota = i32x4(0, 1, 2, 3);
    for (let i = 0; i < n; i += 4) {
      v128.store(rows + (<usize>i << 2), iota);
      iota = i32x4.add(iota, four);
    }
    for (let j = n; (j & 3) != 0; j++) store<i32>(rows + (<usize>j << 2), n - 1);
    return n;
  }
  let count = 0;
  for (let i = 0; i < n; i++) {
    const y = load<i32>(labels + (<usize>i << 2));
    if (hasIgnore && y == ignore) continue;
    if (<u32>y >= <u32>C) return -1;
    store<i32>(rows + (<usize>count << 2), i);
    count++;
  }
  if (count > 0) {
    const last = load<i32>(rows + (<usize>(count - 1) << 2));
    for (let j = count; (j & 3) != 0; j++) store<i32>(rows + (<usize>j << 2), last);
  }
  return count;
}

/** Whether every one of the n labels is in [0, C) and none is the ignore index. */
function allPlain(labels: usize, n: i32, C: i32, hasIgnore: i32, ignore: i32): bool {
  const limit = i32x4.splat(C);
  // Without an ignore index, compare against a value no in-range label can have.
  const ign = i32x4.splat(hasIgnore ? ignore : -1);
  let ok = i32x4.splat(-1);
  const whole = n & ~3;
  for (let i = 0; i < whole; i += 4) {
    const y = v128.load(labels + (<usize>i << 2));
    ok = v128.and(ok, v128.andnot(i32x4.lt_u(y, limit), i32x4.eq(y, ign)));
  }
  if (!i32x4.all_true(ok)) return false;
  for (let i = whole; i < n; i++) {
    const y = load<i32>(labels + (<usize>i << 2));
    if ((hasIgnore && y == ignore) || <u32>y >= <u32>C) return false;
  }
  return true;
}

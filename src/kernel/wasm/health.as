/**
 * Numerical health in the wasm kernels (kernel/health.ts has the definitions): the same units,
 * found by the same comparisons on the same float64 values, as the scalar kernels count.
 *
 *   probabilities: raw = the unclamped p_t;  low = raw < eps,  high = raw > 1 - eps
 *                  (read off the clamp: raw < clampV(raw), raw > clampV(raw))
 *   logits:        sat = |z| > 30  (multiclass: the row's largest |z_k|)
 *
 * The counts ride in the units' own count lane, at no extra load or store: where addUnits adds
 * 1 to a group's easy or hard count (accumulate.as), it adds
 *
 *   w = 1 + low 2^18 + high 2^36      (probabilities; low and high exclusive, as eps <= 1/2)
 *   w = 1 + sat 2^18                  (logits)
 *
 * so that one accumulator slot holds n + 2^18 A + 2^36 B: exact in float64 while n, A < 2^18 and
 * B < 2^17, that is while a kernel call gives one copy fewer than 2^17 units (kernel.ts calls it
 * on at most CHUNK_VALUES = 2^16 units at a time). takeHealth, before mergeChunk, splits every
 * slot back into n (left in place, so mergeChunk sees the plain counts) and A, B (added into the
 * partial's health block).
 */
import { accBase, accCopyStride, trashGroup } from './accumulate';

/** A logit of larger magnitude is saturated (kernel/health.ts's SATURATION). */
const SATURATION: f64 = 30.0;
/** The flag weights: 2^18 (clamped low, or saturated) and 2^36 (clamped high). */
const FLAG_A: f64 = 262144.0;
const FLAG_B: f64 = 68719476736.0;

/**
 * The flags of two probability lanes from their raw p_t and clamped pt = clampV(raw): 2^18 if
 * clamped low, 2^36 if high, else 0. raw < pt exactly when the clamp raised raw to eps (raw < eps),
 * raw > pt when it lowered it to 1 - eps (raw > 1 - eps): the scalar kernels' comparisons, read off
 * the clamp's result, so that no bound need be loaded.
 */
// @ts-ignore: decorator
@inline export function clampFlags(raw: v128, pt: v128): v128 {
  return v128.or(v128.and(f64x2.lt(raw, pt), f64x2.splat(FLAG_A)), v128.and(f64x2.gt(raw, pt), f64x2.splat(FLAG_B)));
}

/** The flags of two logit lanes from a = |z|: 2^18 if saturated, else 0. */
// @ts-ignore: decorator
@inline export function saturationFlags(a: v128): v128 {
  return v128.and(f64x2.gt(a, f64x2.splat(SATURATION)), f64x2.splat(FLAG_A));
}

/** Lanes of an f32x4 of four rows' largest |z_k|: all ones where it exceeds 30. */
// @ts-ignore: decorator
@inline export function saturatedRows(magnitude: v128): v128 {
  return f32x4.gt(magnitude, f32x4.splat(<f32>SATURATION));
}

/** The flags of two rows from their f64x2 lane masks (i64x2.extend_*_i32x4_s of saturatedRows). */
// @ts-ignore: decorator
@inline export function rowFlags(mask: v128): v128 {
  return v128.and(mask, f64x2.splat(FLAG_A));
}

const LOW_BITS: i64 = (1 << 18) - 1;

/**
 * Splits the count slots of groups [0, G) (both copies, easy and hard) into the plain counts,
 * left in place, and the health counts, added into the partial's health block at `health`
 * (3 f64 per group: clamped low, clamped high, saturated); `logits` says which A counts.
 */
export function takeHealth(health: usize, logits: i32): void {
  const groups = <usize>trashGroup;
  for (let g: usize = 0; g < groups; g++) {
    let a: i64 = 0;
    let b: i64 = 0;
    for (let copy: usize = 0; copy < 2; copy++) {
      for (let slot: usize = 24; slot < 64; slot += 32) {
        const at = accBase + copy * accCopyStride + (g << 6) + slot;
        const x = <i64>load<f64>(at);
        store<f64>(at, <f64>(x & LOW_BITS));
        a += (x >> 18) & LOW_BITS;
        b += x >> 36;
      }
    }
    const o = health + g * 24;
    if (logits != 0) {
      store<f64>(o, load<f64>(o, 16) + <f64>a, 16);
    } else {
      store<f64>(o, load<f64>(o) + <f64>a);
      store<f64>(o, load<f64>(o, 8) + <f64>b, 8);
    }
  }
}

/**
 * Vector math on f64x2 lanes (AssemblyScript, compiled to wasm SIMD by build.mjs).
 *
 *   expV(x)   = e^x for x in [-inf, 0]       Cody-Waite: x = m ln2/32 + r, |r| <= ln2/64,
 *                                            m = 32 i + j: 2^(j/32) from a 32-entry table,
 *                                            e^r = sum_{i<=5} r^i / i!  (Estrin; truncation
 *                                            < 2.3e-15), 2^i put into the exponent bits;
 *                                            0 below -707
 *   expS(x)   = e^x for x in [-707, 0]       expV's reduction (ln2/32 in one part) and table,
 *                                            e^r = (1 + r) + r^2 (1/2 + r/6)  (truncation
 *                                            < 5.8e-10); unmasked: callers zero x < -707
 *   logV(x)   = ln x for normal x > 0        x = 2^k m, m in [sqrt(1/2), sqrt(2)), f = m - 1,
 *                                            s = f / (2 + f), ln(1+f) = f - f^2/2 + s (f^2/2 + R(s^2))
 *                                            (fdlibm/musl's polynomial, in Estrin's order), + k ln2
 *                                            in two parts: (s (f^2/2 + R) + (k ln2_lo - f^2/2))
 *                                            + (f + k ln2_hi), two short chains instead of musl's one
 *   log0V(x)  = ln x for x in [0, 1]         logV plus subnormals (scaled by 2^54) and 0 -> -inf
 *   ln(1 + e), e in [0, 1]                   the same kernel on f = e or (e - 1)/2 (+ ln 2):
 *                                            unitLogF/unitLogK/log1pPoly
 *   powV(x,g) = x^g  for x in [0, 1], g > 0  e^(g ln x);  0^g = 0
 *
 * exp is within 3e-15 (table entries, product and polynomial each round once, < 1.2e-16 apiece,
 * plus the 2.3e-15 truncation) and log within ~2 ulp of Math.exp/Math.log (f + k ln2_hi rounds
 * once, by at most half an ulp of a result >= ln(sqrt 2) / 2 for k != 0; for k = 0 the order is
 * musl's exactly), so sums of their results
 * meet the 1e-6 relative bar by seven orders of magnitude or more. Float64 throughout, not f32x4,
 * chosen by measurement: f64x2 already beats the issue's throughput targets (bench/kernel.ts),
 * while an f32 exp/log (~1e-7 per unit at best) would spend up to (gamma + 1) * 1e-7 of the bar
 * on fl (7e-7 at gamma 5), and would lose ln p_t and 1 - p_t near p_t = 1 outright. The one
 * exception is expS, the exp of multiclass logits (C exponentials per row, its hot loop): a
 * shorter polynomial after the same table, within 6e-10 of e^x (bound at expS), so that kernel's
 * units stay within (2 gamma + 1) * 6e-10 (multiclass.as). It replaced an exp whose r^2 tail
 * was taken in f32x4 (within 2e-8): about as many instructions per value, but no f32
 * conversions and a chain from x ~40% shorter (~30 cycles instead of ~50), and 30 times more
 * accurate; with it that kernel scores ~16% more rows per second.
 *
 * The logit kernels are bound by latency, not by throughput: one unit's exp -> division -> log
 * chain is longer than what the core's reorder window covers of the next units, so shortening
 * chains (table exp, Estrin log, two parallel divisions in logitPairE) is what makes them faster.
 *
 * Two things about V8 (Node 20) shape this code: it does not inline wasm calls, so every function
 * here is @inline; and it builds each v128.const from scratch at every use (three instructions),
 * so the constants are splat-loaded from a table in memory instead (one instruction, L1 hit).
 */

/** The constants, at byte offsets K_* (8 apart) of a 16-aligned static table. */
const TABLE: usize = memory.data<f64>(
  [
    6755399441055744.0, // K_ROUND: 1.5 * 2^52, adding it rounds to an integer kept in the low bits
    1.0 / 6.0, // K_INV3F: 1/3!
    1.0 / 24.0, // K_INV4F
    1.0 / 120.0, // K_INV5F
    -707.0, // K_EXP_MIN: below it 2^n leaves the normal range; e^-707 = 9e-308 counts as 0
    1.0, // K_ONE
    2.0, // K_TWO
    0.5, // K_HALF
    0.0, // K_ZERO
    6.93147180369123816490e-1, // K_LN2_HI
    1.90821492927058770002e-10, // K_LN2_LO
    6.666666666666735130e-1, // K_LG1
    3.999999999940941908e-1, // K_LG2
    2.857142874366239149e-1, // K_LG3
    2.222219843214978396e-1, // K_LG4
    1.818357216161805012e-1, // K_LG5
    1.531383769920937332e-1, // K_LG6
    1.479819860511658591e-1, // K_LG7
    2.2250738585072014e-308, // K_MIN_NORMAL
    18014398509481984.0, // K_TWO54: 2^54, lifts a subnormal into the normal range
    54.0, // K_FIFTY_FOUR
    -Infinity, // K_NEG_INF
    4503599627370496.0, // K_TWO52_BITS: 2^52, whose bits OR a small integer into the mantissa
    4503599627371519.0, // K_TWO52_PLUS_BIAS: 2^52 + 1023
    0.41421356237309515, // K_SQRT2_MINUS_1
    46.16624130844683, // K_32_LOG2E: 32 / ln 2
    6.93147180369123816490e-1 / 32.0, // K_LN2_32_HI: ln 2 / 32, high part (K_LN2_HI / 32)
    1.90821492927058770002e-10 / 32.0, // K_LN2_32_LO: low part
    0.6931471805599453 / 32.0, // K_LN2_32: ln 2 / 32 in one part (expS)
  ],
  16,
);
const K_ROUND: usize = 0;
const K_INV3F: usize = 8;
const K_INV4F: usize = 16;
const K_INV5F: usize = 24;
export const K_EXP_MIN: usize = 32;
export const K_ONE: usize = 40;
export const K_TWO: usize = 48;
const K_HALF: usize = 56;
export const K_ZERO: usize = 64;
const K_LN2_HI: usize = 72;
const K_LN2_LO: usize = 80;
const K_LG1: usize = 88;
const K_LG2: usize = 96;
const K_LG3: usize = 104;
const K_LG4: usize = 112;
const K_LG5: usize = 120;
const K_LG6: usize = 128;
const K_LG7: usize = 136;
const K_MIN_NORMAL: usize = 144;
const K_TWO54: usize = 152;
const K_FIFTY_FOUR: usize = 160;
const K_NEG_INF: usize = 168;
export const K_TWO52_BITS: usize = 176;
const K_TWO52_PLUS_BIAS: usize = 184;
const K_SQRT2_MINUS_1: usize = 192;
const K_32_LOG2E: usize = 200;
const K_LN2_32_HI: usize = 208;
const K_LN2_32_LO: usize = 216;
const K_LN2_32: usize = 224;
/** Bit patterns for logCore, both i64 lanes each (16-aligned for plain v128 loads). */
const SQRT_HALF_BITS: usize = memory.data<i64>([0x3fe6a09e667f3bcd, 0x3fe6a09e667f3bcd], 16);
const LOG_OFFSET_BITS: usize = memory.data<i64>([0x3ff0000000000000 - 0x3fe6a09e667f3bcd, 0x3ff0000000000000 - 0x3fe6a09e667f3bcd], 16);
const MANTISSA_MASK: usize = memory.data<i64>([0x000fffffffffffff, 0x000fffffffffffff], 16);

/** The table constant at byte offset `k`, in both lanes. */
// @ts-ignore: decorator
@inline export function kv(k: usize): v128 {
  return v128.load64_splat(TABLE + k);
}

/** 2^(j/32) for j = 0..31, correctly rounded (expV's table). */
const EXP_TABLE: usize = memory.data<f64>(
  [
    1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
    1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
    1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
    1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
    1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228,
    1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
    1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072,
    1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
  ],
  16,
);

/** e^x lane-wise for x <= 0 (x = -inf gives 0). */
// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  // x = m ln2/32 + r, |r| <= ln2/64, m = 32 i + j: e^x = 2^i 2^(j/32) e^r. m sits in the low bits
  // of t; ln2/32 in two parts (m * hi exact for |m| < 2^21).
  const t = f64x2.add(f64x2.mul(x, kv(K_32_LOG2E)), kv(K_ROUND));
  const m = f64x2.sub(t, kv(K_ROUND));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(m, kv(K_LN2_32_HI))), f64x2.mul(m, kv(K_LN2_32_LO)));
  // 2^(j/32) from the table, j = m mod 32 (the low 5 bits of t; any bits of -inf give a valid j).
  const j0 = <usize>(i32x4.extract_lane(t, 0) & 31) << 3;
  const j1 = <usize>(i32x4.extract_lane(t, 2) & 31) << 3;
  const s = v128.load64_lane(EXP_TABLE + j1, v128.load64_zero(EXP_TABLE + j0), 1);
  // Taylor to r^5 (truncation r^6/6! < 2.3e-15 relative for |r| <= ln2/64), in Estrin's order.
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const a0 = f64x2.add(kv(K_ONE), r);
  const a1 = f64x2.add(kv(K_HALF), f64x2.mul(kv(K_INV3F), r));
  const a2 = f64x2.add(kv(K_INV4F), f64x2.mul(kv(K_INV5F), r));
  let e = f64x2.mul(s, f64x2.add(f64x2.add(a0, f64x2.mul(a1, r2)), f64x2.mul(a2, r4)));
  // Scale by 2^i: i = floor(m / 32) is t's bits shifted right by 5, and shifting that by 52 lands
  // it in the exponent field (two's complement wraps correctly for negative i).
  e = i64x2.add(e, i64x2.shl(i64x2.shr_u(t, 5), 52));
  return v128.and(e, f64x2.ge(x, kv(K_EXP_MIN)));
}

/**
 * e^x lane-wise for x in [-707, 0], without the range mask (the callers apply their own: the
 * result is garbage outside). As expV, x = m ln2/32 + r and e^x = 2^i 2^(j/32) e^r with the same
 * table, but:
 *   - ln2/32 is one double c (relative error <= 2^-53): r = x - m c is off by at most
 *     |m| ln2/32 2^-53 + ulp(707)/2 <= 7.9e-14 + 5.7e-14 (the subtraction is exact: Sterbenz),
 *     so e^r by 1.4e-13 relative;
 *   - e^r = (1 + r) + r^2 (1/2 + r/6), whose truncation sum_{i>=4} r^i/i! is at most
 *     1.003 r^4/24 <= 5.75e-10 for |r| <= ln2/64, 5.82e-10 of e^r >= e^(-ln2/64) (the tail
 *     r^2 (1/2 + r/6) < 6e-5 rounds by ~1e-20; 1 + r, + tail, the table entry and the product
 *     round once each, < 1.2e-16 apiece).
 * So expS(x) is within 5.82e-10 + 1.4e-13 + 5e-16 < 6e-10 of e^x, relative.
 */
// @ts-ignore: decorator
@inline export function expS(x: v128): v128 {
  const t = f64x2.add(f64x2.mul(x, kv(K_32_LOG2E)), kv(K_ROUND));
  const m = f64x2.sub(t, kv(K_ROUND));
  const r = f64x2.sub(x, f64x2.mul(m, kv(K_LN2_32)));
  const j0 = <usize>(i32x4.extract_lane(t, 0) & 31) << 3;
  const j1 = <usize>(i32x4.extract_lane(t, 2) & 31) << 3;
  const s = v128.load64_lane(EXP_TABLE + j1, v128.load64_zero(EXP_TABLE + j0), 1);
  const q = f64x2.mul(f64x2.mul(r, r), f64x2.add(kv(K_HALF), f64x2.mul(kv(K_INV3F), r)));
  const e = f64x2.mul(s, f64x2.add(f64x2.add(kv(K_ONE), r), q));
  return i64x2.add(e, i64x2.shl(i64x2.shr_u(t, 5), 52));
}

/**
 * ln x lane-wise for normal x > 0, with kAdj subtracted from x's binary exponent k. Reduction as
 * musl's log: adding bits(1) - bits(sqrt(1/2)) to x's bits makes the exponent field read k + 1023
 * with m = x / 2^k in [sqrt(1/2), sqrt(2)), and adding bits(sqrt(1/2)) back to the remaining
 * mantissa bits rebuilds m. The sum stays positive, so a logical shift extracts the exponent
 * (one instruction; V8 emulates the arithmetic i64x2 shift on x64).
 */
// @ts-ignore: decorator
@inline function logCore(x: v128, kAdj: v128): v128 {
  const hx = i64x2.add(x, v128.load(LOG_OFFSET_BITS));
  const kb = i64x2.shr_u(hx, 52);
  // k as f64: 2^52 + (k + 1023) built in the bits, minus 2^52 + 1023.
  const k = f64x2.sub(f64x2.sub(v128.or(kb, kv(K_TWO52_BITS)), kv(K_TWO52_PLUS_BIAS)), kAdj);
  const m = i64x2.add(v128.and(hx, v128.load(MANTISSA_MASK)), v128.load(SQRT_HALF_BITS));
  return log1pCore(f64x2.sub(m, kv(K_ONE)), k);
}

/** ln(1 + f) + k ln 2 lane-wise for f in [sqrt(1/2) - 1, sqrt(2) - 1] (musl's log kernel). */
// @ts-ignore: decorator
@inline function log1pCore(f: v128, k: v128): v128 {
  return log1pPoly(f, k, f64x2.div(f, f64x2.add(kv(K_TWO), f)));
}

/** log1pCore given s = f / (2 + f), for callers that share one division between two quotients. */
// @ts-ignore: decorator
@inline export function log1pPoly(f: v128, k: v128, s: v128): v128 {
  const hfsq = f64x2.mul(kv(K_HALF), f64x2.mul(f, f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const w2 = f64x2.mul(w, w);
  const p0 = f64x2.add(f64x2.add(kv(K_LG1), f64x2.mul(z, kv(K_LG2))), f64x2.mul(w, f64x2.add(kv(K_LG3), f64x2.mul(z, kv(K_LG4)))));
  const p1 = f64x2.add(f64x2.add(kv(K_LG5), f64x2.mul(z, kv(K_LG6))), f64x2.mul(w, kv(K_LG7)));
  const r = f64x2.mul(z, f64x2.add(p0, f64x2.mul(w2, p1)));
  const lead = f64x2.add(f, f64x2.mul(k, kv(K_LN2_HI)));
  const tail = f64x2.sub(f64x2.mul(k, kv(K_LN2_LO)), hfsq);
  return f64x2.add(f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), tail), lead);
}

/**
 * ln(1 + e) for e in [0, 1] never rounds 1 + e: for e <= sqrt(2) - 1 the log kernel takes f = e
 * itself (k = 0); above, ln(1 + e) = ln 2 + ln(1 + f) with f = (e - 1) / 2 (k = 1). These two
 * give f and k; log1pPoly(f, k, f / (2 + f)) gives the logarithm.
 */
// @ts-ignore: decorator
@inline export function unitLogF(e: v128): v128 {
  return v128.bitselect(f64x2.mul(f64x2.sub(e, kv(K_ONE)), kv(K_HALF)), e, f64x2.gt(e, kv(K_SQRT2_MINUS_1)));
}

/** k for unitLogF: 1 above sqrt(2) - 1, else 0. */
// @ts-ignore: decorator
@inline export function unitLogK(e: v128): v128 {
  return v128.and(f64x2.gt(e, kv(K_SQRT2_MINUS_1)), kv(K_ONE));
}

/** ln x lane-wise for normal x > 0 (the caller guarantees it: a clamped p_t, or 1 + s). */
// @ts-ignore: decorator
@inline export function logV(x: v128): v128 {
  return logCore(x, kv(K_ZERO));
}

/** ln x lane-wise for x in [0, 1], subnormals included; ln 0 = -inf. */
// @ts-ignore: decorator
@inline export function log0V(x: v128): v128 {
  const tiny = f64x2.lt(x, kv(K_MIN_NORMAL));
  const xs = v128.bitselect(f64x2.mul(x, kv(K_TWO54)), x, tiny);
  const y = logCore(xs, v128.and(tiny, kv(K_FIFTY_FOUR)));
  return v128.bitselect(kv(K_NEG_INF), y, f64x2.eq(x, kv(K_ZERO)));
}

/** x^g lane-wise for x in [0, 1] and g > 0 (0^g = 0 through ln 0 = -inf and e^-inf = 0). */
// @ts-ignore: decorator
@inline export function powV(x: v128, g: v128): v128 {
  return expV(f64x2.mul(g, log0V(x)));
}

/**
 * The gamma sweep on the wasm path (src/kernel/sweep.ts): per unit, besides the main focal term,
 * one focal term per sweep entry s, into that entry's easy or hard sum of the unit's group:
 *
 *   mod_s = 1, 1 - p_t, (1 - p_t)^2          gamma_s = 0, 1, 2 (exact, as the main gamma)
 *         = e^(gamma_s(p_t) ln(1 - p_t))     any other gamma, and FLSD-53 (a table entry with a
 *                                            gamma below a cut and another above it:
 *                                            gamma 5 when p_t < 0.2, else 3)
 *   easy s  += mod_s * ce   when p_t >= easyThreshold, else hard s += mod_s * ce
 *
 * ln(1 - p_t) is taken once per unit (log0V: 1 - p_t = 0 gives -inf, and e^-inf = 0 = 0^g), and
 * only when some entry needs it; every further entry costs one exp at most and one multiply-add.
 * (e^(g ln x) for x = 1 - p_t: ln x within ~2 ulp, so the relative error of mod_s is about
 * g |ln x| 2.2e-16 plus exp's 3e-15: < 1e-12 wherever mod_s is not 0.)
 *
 * Accumulators, as the main ones (accumulate.as): lane l of a vector goes to copy l (stride
 * sweepCopyStride), group g at g * S * 16 bytes, entry s at 16 s: [easy fl, hard fl] (f64). Group
 * G is the trash group of padding lanes. mergeSweep adds copy 0 and copy 1, in that order, into
 * the partial's sweep block (src/kernel/partial.ts: per group g, entry s, at
 * sweepOffset(g, s) = base + (g S + s) * 2: easy fl, hard fl), so the chunk is the unit of
 * summation, as for the main sums.
 *
 * The entries' table (S entries of 32 bytes, written by kernel.ts): f64 gamma below the cut,
 * f64 gamma at or above it, f64 cut, i32 kind (GAMMA_ZERO, GAMMA_ONE, GAMMA_TWO or GAMMA_POW);
 * a plain gamma has the same gamma on both sides.
 */
import { expV, log0V } from './math';

/** Entry kinds, as accumulate.as numbers the main gamma's (kernel.ts writes them). */
const KIND_ZERO: i32 = 0;
const KIND_ONE: i32 = 1;
const KIND_TWO: i32 = 2;

/** Bytes of one entry in the table, and its fields. */
const ENTRY: usize = 32;
const E_BELOW: usize = 0;
const E_ABOVE: usize = 8;
const E_CUT: usize = 16;
const E_KIND: usize = 24;

/** Set once per batch by configureSweep (0 entries: no sweep). */
export let sweepCount: i32 = 0;
let sweepAcc: usize = 0;
let sweepTable: usize = 0;
let sweepGroupStride: usize = 0;
let sweepCopyStride: usize = 0;
let sweepLog: bool = false;
let sweepGroups: i32 = 0;

/** Sets the sweep of a batch: accumulators at `acc` (zeroed with the main ones by the caller), `count` entries at `table`. */
export function configureSweep(acc: usize, groups: i32, count: i32, table: usize, needsLog: bool): void {
  sweepCount = count;
  stashed = 0;
  sweepAcc = acc;
  sweepTable = table;
  sweepGroups = groups;
  sweepGroupStride = <usize>count << 4;
  sweepCopyStride = <usize>(groups + 1) * sweepGroupStride;
  sweepLog = needsLog;
}

/**
 * Pairs of units are stashed (addSweep) and their terms summed a block at a time (flushSweep),
 * entry by entry: each entry's loop has no branch on the kind and many independent units, so
 * the exps of successive units overlap, where one unit's entries after one another (its log, then
 * an exp per entry, in one chain) left the core waiting. Per stashed pair, at p * STASH_PAIR:
 * ce, p_t, 1 - p_t (v128 each), then ln(1 - p_t) (filled by flushSweep) and the two lanes'
 * accumulator addresses (i32: copy, group and easy/hard side folded in). Each accumulator slot
 * still takes its units in unit order, so the sums are those of a unit-by-unit loop, bit for bit.
 */
const STASH_PAIRS: i32 = 128;
const STASH_PAIR: usize = 72;
const S_CE: usize = 0;
const S_PT: usize = 16;
const S_OMP: usize = 32;
const S_LN: usize = 48;
const S_A0: usize = 64;
const S_A1: usize = 68;
const STASH: usize = memory.data(<i32>STASH_PAIR * STASH_PAIRS, 16);
let stashed: i32 = 0;

/**
 * Stashes two units for the sweep: lane 0 to group g0 (copy 0), lane 1 to group g1 (copy 1);
 * `easy` has bit l set when lane l is easy. Every STASH_PAIRS pairs the stash is summed.
 */
// @ts-ignore: decorator
@inline export function addSweep(ce: v128, pt: v128, omp: v128, easy: i32, g0: i32, g1: i32): void {
  if (sweepCount == 0) return;
  const p = STASH + <usize>stashed * STASH_PAIR;
  v128.store(p, ce, S_CE);
  v128.store(p, pt, S_PT);
  v128.store(p, omp, S_OMP);
  store<i32>(p, <i32>(sweepAcc + <usize>g0 * sweepGroupStride + ((easy & 1) != 0 ? 0 : 8)), S_A0);
  store<i32>(p, <i32>(sweepAcc + sweepCopyStride + <usize>g1 * sweepGroupStride + ((easy & 2) != 0 ? 0 : 8)), S_A1);
  stashed++;
  if (stashed == STASH_PAIRS) flushSweep();
}

/** Sums the stashed pairs' terms into the accumulators, entry by entry, and empties the stash (every kernel's extras variant calls it at its end). */
export function flushSweep(): void {
  const n = <usize>stashed;
  stashed = 0;
  if (n == 0) return;
  const end = STASH + n * STASH_PAIR;
  if (sweepLog) {
    for (let p = STASH; p < end; p += STASH_PAIR) v128.store(p, log0V(v128.load(p, S_OMP)), S_LN);
  }
  for (let s = 0; s < sweepCount; s++) {
    const e = sweepTable + <usize>s * ENTRY;
    const kind = load<i32>(e, E_KIND);
    const o = <usize>s << 4;
    if (kind == KIND_TWO) {
      for (let p = STASH; p < end; p += STASH_PAIR) {
        const omp = v128.load(p, S_OMP);
        addPair(p, o, f64x2.mul(f64x2.mul(omp, omp), v128.load(p, S_CE)));
      }
    } else if (kind == KIND_ZERO) {
      for (let p = STASH; p < end; p += STASH_PAIR) addPair(p, o, v128.load(p, S_CE));
    } else if (kind == KIND_ONE) {
      for (let p = STASH; p < end; p += STASH_PAIR) addPair(p, o, f64x2.mul(v128.load(p, S_OMP), v128.load(p, S_CE)));
    } else {
      const cut = v128.load64_splat(e + E_CUT);
      const gBelow = v128.load64_splat(e + E_BELOW);
      const gAbove = v128.load64_splat(e + E_ABOVE);
      for (let p = STASH; p < end; p += STASH_PAIR) {
        const g = v128.bitselect(gBelow, gAbove, f64x2.lt(v128.load(p, S_PT), cut));
        addPair(p, o, f64x2.mul(expV(f64x2.mul(g, v128.load(p, S_LN))), v128.load(p, S_CE)));
      }
    }
  }
}

/** Adds a stashed pair's two terms t for entry offset o: lane 0 at its first address, lane 1 at its second. */
// @ts-ignore: decorator
@inline function addPair(p: usize, o: usize, t: v128): void {
  const a0 = <usize>load<i32>(p, S_A0) + o;
  const a1 = <usize>load<i32>(p, S_A1) + o;
  store<f64>(a0, load<f64>(a0) + f64x2.extract_lane(t, 0));
  store<f64>(a1, load<f64>(a1) + f64x2.extract_lane(t, 1));
}

/** Adds the chunk's sweep accumulators (both copies, groups [0, G)) into the partial's sweep block at `block`. */
export function mergeSweep(block: usize): void {
  const n = <usize>sweepGroups * <usize>sweepCount;
  for (let i: usize = 0; i < n; i++) {
    const a = sweepAcc + (i << 4);
    const b = a + sweepCopyStride;
    const o = block + (i << 4);
    store<f64>(o, load<f64>(o) + (load<f64>(a) + load<f64>(b)));
    store<f64>(o, load<f64>(o, 8) + (load<f64>(a, 8) + load<f64>(b, 8)), 8);
  }
}

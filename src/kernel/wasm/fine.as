/**
 * The fine p_t bins of the loss concentration on the wasm path (src/report/concentration.ts's
 * input; src/kernel/unit.ts): per unit, at the main gamma,
 *
 *   k = min(floor(p_t * F), F - 1)
 *   fine bin k of the unit's group:  count += 1,  ce sum += ce,  fl sum += fl
 *
 * Unlike the other sums these go straight into the wasm copy of the partial (kernel.ts), in the
 * partial's own layout (src/kernel/partial.ts: group g's bin k at fineOffset(g, k) =
 * base + (g F + k) * 3: count, ce, fl), lane 0 before lane 1, unit after unit: per-chunk
 * accumulators would cost 3 F float64 per group and copy to zero and to merge at every chunk,
 * more than the chunk's units (F up to 65,536). A plain fold in unit order is the same whatever
 * the chunking, so the results stay deterministic. Padding lanes go to the trash group G, whose
 * bins kernel.ts lays out just past the partial's end.
 */
import { kv, K_TWO52_BITS } from './math';

/** Set once per batch by configureFine (0 bins: none). */
export let fineCount: i32 = 0;
let fineBase: usize = 0;

/** F and F - 1 in both lanes. */
const FINE_PARAMS: usize = memory.data(2 * 16, 16);

/** Sets the fine bins of a batch: `count` bins per group, group 0's first at `base` (in the partial). */
export function configureFine(base: usize, count: i32): void {
  fineCount = count;
  fineBase = base;
  v128.store(FINE_PARAMS, f64x2.splat(<f64>count));
  v128.store(FINE_PARAMS, f64x2.splat(<f64>(count - 1)), 16);
}

/** Adds two units (ce, p_t, fl per lane) to the fine bins of groups g0 (lane 0) and g1 (lane 1). */
// @ts-ignore: decorator
@inline export function addFine(ce: v128, pt: v128, fl: v128, g0: i32, g1: i32): void {
  const F = fineCount;
  if (F == 0) return;
  // k read from the low word of (k + 2^52), as accumulate.as reads the histogram's bin.
  const k = f64x2.add(f64x2.pmin(f64x2.floor(f64x2.mul(pt, v128.load(FINE_PARAMS))), v128.load(FINE_PARAMS, 16)), kv(K_TWO52_BITS));
  const o0 = fineBase + (<usize>g0 * <usize>F + <usize>i32x4.extract_lane(k, 0)) * 24;
  const o1 = fineBase + (<usize>g1 * <usize>F + <usize>i32x4.extract_lane(k, 2)) * 24;
  store<f64>(o0, load<f64>(o0) + 1.0);
  v128.store(o0 + 8, f64x2.add(v128.load(o0 + 8), f64x2.shuffle(ce, fl, 0, 2)));
  store<f64>(o1, load<f64>(o1) + 1.0);
  v128.store(o1 + 8, f64x2.add(v128.load(o1 + 8), f64x2.shuffle(ce, fl, 1, 3)));
}

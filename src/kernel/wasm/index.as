/**
 * Entry of the wasm module (build.mjs compiles this file and its imports to focal.wasm). The
 * JS side (kernel.ts) owns the memory layout: it copies a batch in above heapBase(), calls the
 * checks, configure() and a kernel, and reads the accumulators back into the partial.
 */
export { configure, configureRows } from './accumulate';
export { mergeChunk } from './merge';
export { takeHealth } from './health';
export { configureSweep, mergeSweep } from './sweep';
export { configureFine } from './fine';
export { multiclassLogits, multiclassProbs, multiclassLogitsRows, multiclassProbsRows } from './multiclass';
export { binaryProbs, binaryLogits, binaryProbsRows, binaryLogitsRows } from './binary';
export { multilabelProbs, multilabelLogits, multilabelProbsRows, multilabelLogitsRows } from './multilabel';
export { rowsOfUnits, packFlags } from './rows';
export { allFinite, allProbabilities, allBinaryTargets, listRows } from './validate';
import { expS, expV, kv, K_EXP_MIN, log0V, powV } from './math';

/** First byte the JS side may use (above the module's own static data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** e^x through the vector code (tests check the math against Math.exp). */
export function mathExp(x: f64): f64 {
  return f64x2.extract_lane(expV(f64x2.splat(x)), 0);
}

/** ln x through the vector code, for x in [0, 1] (tests check it against Math.log). */
export function mathLog(x: f64): f64 {
  return f64x2.extract_lane(log0V(f64x2.splat(x)), 0);
}

/** x^g through the vector code, for x in [0, 1] and g > 0 (tests check it against Math.pow). */
export function mathPow(x: f64, g: f64): f64 {
  return f64x2.extract_lane(powV(f64x2.splat(x), f64x2.splat(g)), 0);
}

/**
 * e^x for x <= 0 through expS, the exp of the multiclass logits kernel, masked as there: 0 below
 * -707. (The name is from the f32x4-polynomial exp it replaced; module.ts keeps the signature.)
 */
export function mathExpX4(x: f64): f64 {
  const v = f64x2.splat(x);
  return f64x2.extract_lane(v128.and(expS(v), f64x2.ge(v, kv(K_EXP_MIN))), 0);
}

/**
 * Entry of pages.wasm (src/kernel/wasm/build.mjs compiles this file and its imports): the lean
 * Parquet reader's hot loops over bytes in this module's memory, which the JS side
 * (../pageDecoder.ts) lays out. Each returns 0 when it decoded its input, else non-zero: the JS
 * decoder then reads the same bytes and says what is wrong with them.
 */
export { snappy } from './snappy';
export { gather32, gather64 } from './gather';
export { uniformLevels } from './uniform';

/** First byte the JS side may use (above the module's own static data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * The wasm SIMD kernels: a drop-in for kernelFor's hot cases, loaded once per thread.
 *
 *   const kernel = wasmKernelFor(mode, input) ?? kernelFor(mode, input);
 *
 * wasmKernelFor loads the module on first use (synchronously); initWasmKernel/initWasmKernelAsync
 * do it ahead of time. Batches the wasm path cannot take fall back to the scalar kernel inside
 * the returned function, so callers never need to check.
 */
export { wasmKernelFor, wasmRowKernelFor, wasmPredictionSlot, wasmEligible, wasmKernelCounts, chunkRowsOf, CHUNK_VALUES } from './kernel.ts';
export { initWasmKernel, initWasmKernelAsync, wasmArena, wasmKernelFailure } from './module.ts';
export type { FocalWasmExports, WasmArena } from './module.ts';

/**
 * Loads focal.wasm (built from the .as sources beside it by build.mjs) once per thread, and owns
 * its memory: one region above the module's static data that grows to the largest batch chunk
 * seen and is reused for every batch after that.
 *
 * Loading is synchronous (`new WebAssembly.Module` on the bytes of the file next to this one),
 * so a worker can set it up at import time or on its first batch; the module is ~25 kB and
 * compiles in a few milliseconds. If the file is missing or the engine lacks wasm SIMD, the
 * wasm kernels are simply unavailable and callers keep the scalar ones.
 */
import { readFileSync } from 'node:fs';
import { WASM_URL } from '../../paths.ts';

/**
 * The slice of the WebAssembly JS API used here. The project's TypeScript libs (ES2023 + node)
 * do not declare the WebAssembly globals, so they are typed locally.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: unknown;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<WasmInstance>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The exports of focal.wasm (pointers are byte offsets into `memory`). */
export interface FocalWasmExports {
  memory: WasmMemory;
  heapBase(): number;
  configure(
    acc: number,
    hist: number,
    groups: number,
    bins: number,
    easyThreshold: number,
    gammaKind: number,
    gamma: number,
    epsilon: number,
    oneMinusEpsilon: number,
  ): void;
  configureRows(weights: number, pt: number, ce: number, loss: number, easy: number, trash: number): void;
  mergeChunk(partial: number): void;
  takeHealth(health: number, logits: number): void;
  configureSweep(acc: number, groups: number, count: number, table: number, needsLog: number): void;
  mergeSweep(block: number): void;
  configureFine(base: number, count: number): void;
  multiclassLogits(pred: number, labels: number, rows: number, start: number, end: number, count: number, C: number): void;
  multiclassProbs(pred: number, labels: number, rows: number, start: number, end: number, count: number, C: number): void;
  binaryProbs(pred: number, labels: number, rows: number, start: number, end: number, count: number): void;
  binaryLogits(pred: number, labels: number, rows: number, start: number, end: number, count: number): void;
  multilabelProbs(pred: number, target: number, start: number, end: number, count: number, C: number): void;
  multilabelLogits(pred: number, target: number, start: number, end: number, count: number, C: number): void;
  multiclassLogitsRows(pred: number, labels: number, rows: number, start: number, end: number, count: number, C: number): void;
  multiclassProbsRows(pred: number, labels: number, rows: number, start: number, end: number, count: number, C: number): void;
  binaryProbsRows(pred: number, labels: number, rows: number, start: number, end: number, count: number): void;
  binaryLogitsRows(pred: number, labels: number, rows: number, start: number, end: number, count: number): void;
  multilabelProbsRows(pred: number, target: number, start: number, end: number, count: number, C: number): void;
  multilabelLogitsRows(pred: number, target: number, start: number, end: number, count: number, C: number): void;
  rowsOfUnits(unitLoss: number, m: number, C: number, perClass: number, rowLoss: number): void;
  packFlags(src: number, n: number, dst: number): void;
  allFinite(ptr: number, count: number): number;
  allProbabilities(ptr: number, count: number): number;
  allBinaryTargets(ptr: number, count: number): number;
  listRows(labels: number, n: number, C: number, hasIgnore: number, ignore: number, rows: number): number;
  mathExp(x: number): number;
  mathLog(x: number): number;
  mathPow(x: number, g: number): number;
  mathExpX4(x: number): number;
}

const PAGE = 65536;

/** The module's exports plus typed views over its memory, re-created whenever memory grows. */
export class WasmArena {
  readonly exports: FocalWasmExports;
  /** First byte the JS side may use. */
  readonly base: number;
  f32!: Float32Array;
  f64!: Float64Array;
  i32!: Int32Array;
  u8!: Uint8Array;

  constructor(exports: FocalWasmExports) {
    this.exports = exports;
    this.base = exports.heapBase();
    this.#views();
  }

  /** Makes [base, base + bytes) usable; views taken before a call that grew memory are stale. */
  reserve(bytes: number): void {
    const memory = this.exports.memory;
    const needed = this.base + bytes;
    const have = memory.buffer.byteLength;
    if (needed <= have) return;
    memory.grow(Math.ceil((needed - have) / PAGE));
    this.#views();
  }

  /** Views over the memory as it is now (growing it detaches the old buffer). */
  #views(): void {
    const buffer = this.exports.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }
}

/** undefined: not tried yet in this thread; null: tried and unavailable (see `failure`). */
let arena: WasmArena | null | undefined;
let failure: string | null = null;


/** Compiles and instantiates focal.wasm synchronously, once per thread; false if unavailable. */
export function initWasmKernel(): boolean {
  if (arena !== undefined) return arena !== null;
  try {
    const module = new wasmApi.Module(readFileSync(WASM_URL));
    const instance = new wasmApi.Instance(module, {});
    arena = new WasmArena(instance.exports as unknown as FocalWasmExports);
  } catch (error) {
    arena = null;
    failure = error instanceof Error ? error.message : String(error);
  }
  return arena !== null;
}

/** Async form of initWasmKernel, for callers that prefer not to block on the compile. */
export async function initWasmKernelAsync(): Promise<boolean> {
  if (arena !== undefined) return arena !== null;
  try {
    const { readFile } = await import('node:fs/promises');
    const module = await wasmApi.compile(await readFile(WASM_URL));
    const instance = await wasmApi.instantiate(module, {});
    arena ??= new WasmArena(instance.exports as unknown as FocalWasmExports);
  } catch (error) {
    arena ??= null;
    failure ??= error instanceof Error ? error.message : String(error);
  }
  return arena !== null;
}

/** This thread's loaded module, or null when initWasmKernel has not succeeded. */
export function wasmArena(): WasmArena | null {
  return arena ?? null;
}

/** Why the module could not be loaded (null when it loaded or was not tried). */
export function wasmKernelFailure(): string | null {
  return failure;
}

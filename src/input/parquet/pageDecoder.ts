/**
 * The lean Parquet reader's hot loops in WebAssembly (pages.wasm, built from wasm/*.as by
 * src/kernel/wasm/build.mjs): Snappy, dictionary indices decoded straight into the values they
 * name, and the check that repetition levels are those of lists of one width. Each column reader
 * has a decoder of its own: an instance whose memory is that reader's buffers (the chunk bytes
 * read from the file, the decompressed page, the dictionary, the decoded values), so that the
 * bytes are read, decompressed and decoded where the wasm code reads them, with no copy in
 * between.
 *
 * The memory is grown once, when the decoder is made, to a fixed size, and never again: growing
 * would detach every view of it that the reader holds. A buffer that does not fit is a plain JS
 * array, which the JS decoders (snappy.ts, hybrid.ts, uniformLists.ts) read. Every call here
 * answers false when it did not decode (the bytes are not in this memory, or they are corrupt):
 * the caller then runs the JS decoder on the same bytes, which says what is wrong with them. The
 * JS decoders are the reference the tests hold these to. FOCAL_EVAL_PARQUET_DECODER=js turns
 * the wasm decoder off (for A/B timings).
 */
import { readFileSync } from 'node:fs';
import { PAGES_WASM_URL } from '../../paths.ts';
import type { IndexedArray } from './hybrid.ts';

interface PagesExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  snappy(input: number, length: number, out: number, outLength: number): number;
  gather32(input: number, end: number, bitWidth: number, count: number, dictionary: number, size: number, out: number): number;
  gather64(input: number, end: number, bitWidth: number, count: number, dictionary: number, size: number, out: number): number;
  uniformLevels(input: number, end: number, entries: number, width: number): number;
}

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** A decoder's memory: the chunk bytes being read (about a page: chunkBytes.ts), the decompressed page, its values and the dictionary, with room to spare. */
const MEMORY_BYTES = 64 * 1024 * 1024;
const WASM_PAGE = 65536;
/** Bytes left after every buffer: the wasm loops read (and short Snappy copies write) up to 7 bytes past their ends. */
const SLACK = 16;

/** undefined: not tried yet in this thread; null: unavailable. */
let compiled: object | null | undefined;

function pagesModule(): object | null {
  if (compiled === undefined) {
    try {
      const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      compiled = process.env.FOCAL_EVAL_PARQUET_DECODER === 'js' ? null : new api.Module(readFileSync(PAGES_WASM_URL));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class PageDecoder {
  private readonly w: PagesExports;
  private readonly buffer: ArrayBuffer;
  private readonly base: number;
  private next: number;

  private constructor(exports: PagesExports) {
    this.w = exports;
    this.base = (exports.heapBase() + 15) & ~15;
    const have = exports.memory.buffer.byteLength;
    if (have < MEMORY_BYTES) exports.memory.grow(Math.ceil((MEMORY_BYTES - have) / WASM_PAGE));
    this.buffer = exports.memory.buffer;
    this.next = this.base;
  }

  /** A decoder with memory of its own; null where the module does not load. */
  static create(): PageDecoder | null {
    const module = pagesModule();
    if (module === null) return null;
    try {
      const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      return new PageDecoder(new api.Instance(module, {}).exports as PagesExports);
    } catch {
      return null;
    }
  }

  /** `bytes` bytes of this decoder's memory, 16-aligned, until the next reset; null when they do not fit. */
  alloc(bytes: number): Uint8Array | null {
    const at = this.next;
    if (!(bytes >= 0) || at + bytes + SLACK > this.buffer.byteLength) return null;
    this.next = (at + bytes + SLACK + 15) & ~15;
    return new Uint8Array(this.buffer, at, bytes);
  }

  /** Frees every buffer handed out (the reader drops them all: a new column chunk). */
  reset(): void {
    this.next = this.base;
  }

  /** Decodes a Snappy block into `out` (its declared length); false when not done here. */
  snappy(input: Uint8Array, out: Uint8Array): boolean {
    if (!this.mine(input) || !this.mine(out)) return false;
    return this.w.snappy(input.byteOffset, input.length, out.byteOffset, out.length) === 0;
  }

  /** hybrid.ts decodeIndexed (same arguments); false when not done here. */
  gather(input: Uint8Array, from: number, end: number, bitWidth: number, count: number, dictionary: IndexedArray, out: IndexedArray): boolean {
    if (!this.mine(input) || !this.mine(dictionary) || !this.mine(out) || out.length < count) return false;
    const at = input.byteOffset;
    const gather = dictionary.BYTES_PER_ELEMENT === 4 ? this.w.gather32 : this.w.gather64;
    return gather(at + from, at + end, bitWidth, count, dictionary.byteOffset, dictionary.length, out.byteOffset) === 0;
  }

  /** uniformLists.ts isUniform (same arguments); null when not told here. */
  uniform(bytes: Uint8Array, from: number, end: number, entries: number, width: number): boolean | null {
    if (!this.mine(bytes)) return null;
    return this.w.uniformLevels(bytes.byteOffset + from, bytes.byteOffset + end, entries, width) === 1;
  }

  private mine(view: ArrayBufferView): boolean {
    return view.buffer === this.buffer;
  }
}

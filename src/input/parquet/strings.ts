/**
 * The strings of a BYTE_ARRAY (UTF8) column chunk, as the lean reader hands them on: a row's
 * value is an index into the chunk's strings, which are its dictionary page's, in its order, then
 * each new string of its PLAIN pages (a writer falls back to them when the dictionary grows too
 * big), appended in order of first appearance. Strings are found again by their bytes (a hash of
 * them, then the bytes compared), so a PLAIN value costs no string decoding unless it is new.
 * Each string is decoded once, as UTF-8; bytes that are not UTF-8 are a ParquetFormatError
 * (parquet-wasm refuses them too).
 */
import { ParquetFormatError } from './metadata.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

export class StringTable {
  /** The strings, by index. */
  readonly strings: string[] = [];
  /** Each string's bytes, and the next index with the same hash (-1: none). */
  private readonly bytes: Uint8Array[] = [];
  private readonly next: number[] = [];
  /** The last index added for each hash. */
  private readonly heads = new Map<number, number>();

  get size(): number {
    return this.strings.length;
  }

  /** Adds the string of bytes [from, from + length) of `src` as the next index (a dictionary page's entry), and returns that index. */
  append(src: Uint8Array, from: number, length: number, column: string): number {
    return this.add(src, from, length, hashOf(src, from, length), column);
  }

  /** The index of the string of bytes [from, from + length) of `src`: the first with those bytes, else a new one appended. */
  intern(src: Uint8Array, from: number, length: number, column: string): number {
    const hash = hashOf(src, from, length);
    for (let k = this.heads.get(hash) ?? -1; k >= 0; k = this.next[k]!) {
      if (sameBytes(this.bytes[k]!, src, from, length)) return k;
    }
    return this.add(src, from, length, hash, column);
  }

  private add(src: Uint8Array, from: number, length: number, hash: number, column: string): number {
    const bytes = src.slice(from, from + length);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new ParquetFormatError(`column "${column}": a string that is not UTF-8`);
    }
    const k = this.strings.length;
    this.strings.push(text);
    this.bytes.push(bytes);
    this.next.push(this.heads.get(hash) ?? -1);
    this.heads.set(hash, k);
    return k;
  }
}

/** FNV-1a over the bytes. */
function hashOf(src: Uint8Array, from: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < from + length; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
  return h;
}

function sameBytes(a: Uint8Array, src: Uint8Array, from: number, length: number): boolean {
  if (a.length !== length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== src[from + i]) return false;
  return true;
}

/**
 * Reads `count` PLAIN BYTE_ARRAY values (each a 4-byte little-endian length, then its bytes) from
 * bytes [from, end) of `src`: with `out`, each value's index in `table` (interned) into out[k];
 * without, each appended (a dictionary page). A length running past `end` is a ParquetFormatError.
 */
export function readPlainStrings(src: Uint8Array, from: number, end: number, count: number, table: StringTable, column: string, out: Int32Array | null, what: string): void {
  let at = from;
  for (let k = 0; k < count; k++) {
    if (at + 4 > end) throw new ParquetFormatError(`column "${column}": ${what} ends after ${k} of its ${count} strings`);
    const length = (src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16) | (src[at + 3]! << 24)) >>> 0;
    at += 4;
    if (length > end - at) throw new ParquetFormatError(`column "${column}": string ${k} of ${what} (${length} bytes) runs past its end`);
    if (out === null) table.append(src, at, length, column);
    else out[k] = table.intern(src, at, length, column);
    at += length;
  }
}

/**
 * String labels to class indices, matched by their UTF-8 bytes: no string is made per row (a
 * TextDecoder call per row was most of the time of a file with string labels: 3M rows of
 * Utf8View labels took 0.63 s against 0.17 s with integer labels). Each row's bytes are hashed
 * and compared with the class names' encodings; a row that matches none is decoded and looked
 * up by its string, so the classes are exactly those of decoding every row (a row whose bytes are
 * not valid UTF-8 decodes with replacement characters, as before).
 */
export class StringClasses {
  private readonly classOf: ReadonlyMap<string, number>;
  /** Class names' encodings by hash: [bytes, class] pairs. */
  private readonly byHash = new Map<number, [Uint8Array, number][]>();
  private readonly decoder = new TextDecoder();

  constructor(classOf: ReadonlyMap<string, number>) {
    this.classOf = classOf;
    const encoder = new TextEncoder();
    for (const [name, c] of classOf) {
      const bytes = encoder.encode(name);
      const h = hashOf(bytes, 0, bytes.length);
      const list = this.byHash.get(h);
      if (list) list.push([bytes, c]);
      else this.byHash.set(h, [[bytes, c]]);
    }
  }

  /** The class of the string in bytes[from, to), NaN when it names none. */
  classAt(bytes: Uint8Array, from: number, to: number): number {
    const candidates = this.byHash.get(hashOf(bytes, from, to));
    if (candidates !== undefined) {
      for (const [name, c] of candidates) if (sameBytes(name, bytes, from, to)) return c;
    }
    return this.classOf.get(this.text(bytes, from, to)) ?? NaN;
  }

  /** The string in bytes[from, to). */
  text(bytes: Uint8Array, from: number, to: number): string {
    return this.decoder.decode(bytes.subarray(from, to));
  }
}

/** FNV-1a over bytes[from, to), as an int32. */
function hashOf(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}

function sameBytes(name: Uint8Array, bytes: Uint8Array, from: number, to: number): boolean {
  if (to - from !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (name[k] !== bytes[from + k]) return false;
  return true;
}

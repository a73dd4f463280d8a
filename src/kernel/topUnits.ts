/**
 * The K hardest units seen so far: a bounded heap per bucket, the least hard of the kept units at
 * its root, so that a unit that is not harder than the root is turned away with one comparison.
 *
 * "Harder" is a total order, so the K hardest of a union are the K hardest of the parts' K
 * hardest, whatever the parts and their order: per-batch lists merge into the run's exactly.
 *
 *   a is harder than b  ⟺  (key, fl) of a > that of b lexicographically,
 *                          then the lower row, then the lower class
 *
 * with key = w_g · fl (the alpha-weighted loss, w_g the unit's group weight) when the weights are
 * known before the run: one bucket. Under alpha "auto" the weights are known only at the end
 * (they come from the whole run's counts); within a group w_g is one value and w_g · fl does not
 * fall as fl grows, so the hardest K by loss are among each group's hardest K by fl: one bucket
 * per group, key = fl, and the final order is taken once the weights are known (report/hardest.ts).
 * Ranking equal losses by fl first keeps that exact when w_g · fl rounds two fl to one loss.
 */

/** A unit as stored: row (0-based, in the batch or the run), class, group, p_t, fl (alpha-free). */
export const UNIT_ROW = 0;
export const UNIT_CLASS = 1;
export const UNIT_GROUP = 2;
export const UNIT_PT = 3;
export const UNIT_FL = 4;
export const UNIT_FIELDS = 5;

interface Heap {
  key: number[];
  fl: number[];
  row: number[];
  cls: number[];
  group: number[];
  pt: number[];
}

/** Whether unit i of heap h is harder than unit j of heap g. */
function harder(h: Heap, i: number, g: Heap, j: number): boolean {
  if (h.key[i] !== g.key[j]) return h.key[i]! > g.key[j]!;
  if (h.fl[i] !== g.fl[j]) return h.fl[i]! > g.fl[j]!;
  if (h.row[i] !== g.row[j]) return h.row[i]! < g.row[j]!;
  return h.cls[i]! < g.cls[j]!;
}

/** The K hardest units offered, by bucket (see the file's comment). */
export class TopUnits {
  readonly #heaps: (Heap | undefined)[];
  /** A one-unit heap holding the unit being offered, to compare it with the kept ones. */
  readonly #probe: Heap = { key: [0], fl: [0], row: [0], cls: [0], group: [0], pt: [0] };

  /**
   * `weights`: the group weights when known before the run (one bucket, key = w_g · fl), or null
   * under alpha "auto" (a bucket per group of the `groups`, key = fl).
   */
  constructor(
    readonly k: number,
    readonly weights: Float64Array | null,
    groups: number,
  ) {
    this.#heaps = new Array<Heap | undefined>(weights === null ? groups : 1);
  }

  /** Offers one unit; kept if it is among the K hardest of its bucket so far. */
  offer(row: number, cls: number, group: number, pt: number, fl: number): void {
    const k = this.k;
    if (k === 0) return;
    const w = this.weights;
    const key = w === null ? fl : w[group]! * fl;
    const b = w === null ? group : 0;
    let h = this.#heaps[b];
    if (h === undefined) h = this.#heaps[b] = { key: [], fl: [], row: [], cls: [], group: [], pt: [] };
    const n = h.key.length;
    if (n < k) {
      h.key.push(key);
      h.fl.push(fl);
      h.row.push(row);
      h.cls.push(cls);
      h.group.push(group);
      h.pt.push(pt);
      siftUp(h, n);
      return;
    }
    // Full: the root is the least hard kept; most units are turned away here.
    if (key < h.key[0]!) return;
    const p = this.#probe;
    p.key[0] = key;
    p.fl[0] = fl;
    p.row[0] = row;
    p.cls[0] = cls;
    if (!harder(p, 0, h, 0)) return;
    h.key[0] = key;
    h.fl[0] = fl;
    h.row[0] = row;
    h.cls[0] = cls;
    h.group[0] = group;
    h.pt[0] = pt;
    siftDown(h, 0);
  }

  /** Offers every unit of a list (UNIT_FIELDS values each), its rows moved by `rowOffset`. */
  offerAll(units: Float64Array, rowOffset = 0): void {
    for (let i = 0; i + UNIT_FIELDS <= units.length; i += UNIT_FIELDS) {
      this.offer(units[i + UNIT_ROW]! + rowOffset, units[i + UNIT_CLASS]!, units[i + UNIT_GROUP]!, units[i + UNIT_PT]!, units[i + UNIT_FL]!);
    }
  }

  /** The kept units, bucket by bucket (in no particular order within one), UNIT_FIELDS values each. */
  toArray(): Float64Array {
    let n = 0;
    for (const h of this.#heaps) n += h?.key.length ?? 0;
    const out = new Float64Array(n * UNIT_FIELDS);
    let o = 0;
    for (const h of this.#heaps) {
      if (h === undefined) continue;
      for (let i = 0; i < h.key.length; i++, o += UNIT_FIELDS) {
        out[o + UNIT_ROW] = h.row[i]!;
        out[o + UNIT_CLASS] = h.cls[i]!;
        out[o + UNIT_GROUP] = h.group[i]!;
        out[o + UNIT_PT] = h.pt[i]!;
        out[o + UNIT_FL] = h.fl[i]!;
      }
    }
    return out;
  }
}

function swap(h: Heap, i: number, j: number): void {
  for (const a of [h.key, h.fl, h.row, h.cls, h.group, h.pt]) {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** Restores the heap (least hard at the root) after a push at i. */
function siftUp(h: Heap, i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!harder(h, parent, h, i)) return;
    swap(h, i, parent);
    i = parent;
  }
}

/** Restores the heap after the root was replaced. */
function siftDown(h: Heap, i: number): void {
  const n = h.key.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) return;
    let least = l;
    if (l + 1 < n && harder(h, l, h, l + 1)) least = l + 1;
    if (!harder(h, i, h, least)) return;
    swap(h, i, least);
    i = least;
  }
}

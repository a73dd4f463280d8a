/**
 * A small seeded PRNG for the example and benchmark data: the same seed must give the same
 * bytes on every machine and Node version, which Math.random cannot promise. sfc32 (Chris
 * Doty-Humphrey's Small Fast Counting generator) is fast in plain JS integer arithmetic and
 * passes PractRand far beyond what a few hundred million draws need; normals come from the
 * polar Box-Muller method, caching the second value of each pair.
 */

/** A seeded stream of uniform and normal draws. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  private spareNormal: number | null = null;

  /** Seeds the state from a 32-bit integer (splitmix32-scrambled so nearby seeds diverge). */
  constructor(seed: number) {
    this.a = splitmix32(seed >>> 0);
    this.b = splitmix32(this.a ^ 0x9e3779b9);
    this.c = splitmix32(this.b ^ 0x85ebca6b);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform draw in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A standard normal draw. */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

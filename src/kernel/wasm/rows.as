/**
 * The stage's per-row columns from what a kernel stored per unit or per row (accumulate.as, ROWS_*),
 * in the shapes Arrow takes them:
 *
 *   multilabel:  perClass[u] = f32(loss[u])  (round to nearest, as a Float32Array store),
 *                rowLoss[r]  = sum_{c < C} loss[r C + c]  (f64, added in class order from 0,
 *                             as the reference kernel adds them)
 *   flags:       bit i of dst (LSB first, Arrow's order) = (src[i] != 0), 16 flags a step
 */

/** Rows [0, m) of C units each: the per-class f32 column and the row sums of the f64 unit losses. */
export function rowsOfUnits(unitLoss: usize, m: i32, C: i32, perClass: usize, rowLoss: usize): void {
  let u: usize = 0;
  for (let r = 0; r < m; r++) {
    let sum: f64 = 0;
    for (let c = 0; c < C; c++) {
      const l = load<f64>(unitLoss + (u << 3));
      store<f32>(perClass + (u << 2), <f32>l);
      sum += l;
      u++;
    }
    store<f64>(rowLoss + (<usize>r << 3), sum);
  }
}

/** Packs n byte flags at src into bits at dst; reads and writes whole steps of 16 (ceil(n / 16) * 2 bytes out). */
export function packFlags(src: usize, n: i32, dst: usize): void {
  const zero = i8x16.splat(0);
  for (let i = 0; i < n; i += 16) {
    const bits = i8x16.bitmask(i8x16.ne(v128.load(src + <usize>i), zero));
    store<u16>(dst + (<usize>i >> 3), <u16>bits);
  }
}

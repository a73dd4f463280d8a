/**
 * Adds a chunk's accumulators (both copies, every group but the trash group) into a partial laid
 * out as src/partial.ts lays it out, in wasm memory at `partial`:
 *
 *   header (rows, ignored, invalid), then per group g at 3 + 9 g:
 *     count += easy count + hard count    sumCE += easy ce + hard ce
 *     sumFL += easy fl + hard fl          sumPT += easy p_t + hard p_t
 *     easyCount += easy count   easyCE += easy ce   easyFL += easy fl
 *     hardCE += hard ce         hardFL += hard fl
 *   then per group g, B histogram counts at 3 + 9 G + g B:  += copy 0 count + copy 1 count
 *
 * Copy 0 is added to copy 1 before the sum goes into the partial, always in that order: the
 * result depends only on the input. (Rows and ignored rows are the caller's.)
 */
import { accBase, accCopyStride, bins, histBase, histCopyStride, trashGroup } from './accumulate';

const HEADER: usize = 3;
const FIELDS: usize = 9;

/** Adds the accumulators of groups [0, G) into the partial at `partial`. */
export function mergeChunk(partial: usize): void {
  const groups = <usize>trashGroup;
  const B = <usize>bins;
  for (let g: usize = 0; g < groups; g++) {
    const a = accBase + (g << 6);
    const b = a + accCopyStride;
    const easyCE = load<f64>(a) + load<f64>(b);
    const easyFL = load<f64>(a, 8) + load<f64>(b, 8);
    const easyPT = load<f64>(a, 16) + load<f64>(b, 16);
    const easyN = load<f64>(a, 24) + load<f64>(b, 24);
    const hardCE = load<f64>(a, 32) + load<f64>(b, 32);
    const hardFL = load<f64>(a, 40) + load<f64>(b, 40);
    const hardPT = load<f64>(a, 48) + load<f64>(b, 48);
    const hardN = load<f64>(a, 56) + load<f64>(b, 56);
    const o = partial + ((HEADER + g * FIELDS) << 3);
    store<f64>(o, load<f64>(o) + (easyN + hardN));
    store<f64>(o, load<f64>(o, 8) + (easyCE + hardCE), 8);
    store<f64>(o, load<f64>(o, 16) + (easyFL + hardFL), 16);
    store<f64>(o, load<f64>(o, 24) + (easyPT + hardPT), 24);
    store<f64>(o, load<f64>(o, 32) + easyN, 32);
    store<f64>(o, load<f64>(o, 40) + easyCE, 40);
    store<f64>(o, load<f64>(o, 48) + easyFL, 48);
    store<f64>(o, load<f64>(o, 56) + hardCE, 56);
    store<f64>(o, load<f64>(o, 64) + hardFL, 64);
    const h = partial + ((HEADER + groups * FIELDS + g * B) << 3);
    const h0 = histBase + ((g * B) << 2);
    const h1 = h0 + histCopyStride;
    for (let k: usize = 0; k < B; k++) {
      const at = h + (k << 3);
      store<f64>(at, load<f64>(at) + <f64>(load<i32>(h0 + (k << 2)) + load<i32>(h1 + (k << 2))));
    }
  }
}

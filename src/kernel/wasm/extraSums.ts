/**
 * The gamma sweep and the fine p_t bins on the wasm path: which of them it takes, the room they
 * need in wasm memory, and their configuration (sweep.as, fine.as hold the math).
 *
 *   sweep:  S entries (KernelParams.sweep: a gamma >= 0, or FLSD_53_CODE), each a 32-byte row of
 *           the entries' table: gamma below the cut, gamma at or above it, the cut, the kind
 *           (0, 1, 2 exactly as the main gamma; any other gamma through e^(g ln(1 - p_t)));
 *           per-chunk accumulators of 2 copies x (G + 1) groups x S entries x 16 bytes, zeroed
 *           with the main ones and merged by mergeSweep into the partial's sweep block
 *   fine:   F bins per group, added straight into the wasm copy of the partial (fineOffset);
 *           the trash group's F bins just past the partial's end
 */
import { fineOffset, FINE_FIELDS, sweepOffset, type PartialShape } from '../partial.ts';
import { FLSD_53_CODE, FLSD_53_SCHEDULE } from '../sweep.ts';
import type { KernelParams } from '../types.ts';
import type { WasmArena } from './module.ts';

/** Entry kinds (sweep.as): as accumulate.as numbers the main gamma's. */
const KIND_ZERO = 0;
const KIND_ONE = 1;
const KIND_TWO = 2;
const KIND_POW = 3;
/** Bytes of one entry of the table (sweep.as's ENTRY). */
const ENTRY = 32;
/** Most fine bins the wasm path takes (the options allow 65,536). */
const MAX_FINE = 1 << 24;

/** The sweep's entries and the fine bins of a batch (0 without them). */
export function sweepCount(params: KernelParams): number {
  return params.sweep?.length ?? 0;
}

export function fineCount(params: KernelParams): number {
  return params.fineBins ?? 0;
}

/** Whether the wasm path can reproduce the batch's sweep entries and fine bins. */
export function extraSumsEligible(params: KernelParams): boolean {
  for (const code of params.sweep ?? []) if (!(code === FLSD_53_CODE || (Number.isFinite(code) && code >= 0))) return false;
  const F = fineCount(params);
  return Number.isInteger(F) && F >= 0 && F <= MAX_FINE;
}

/** Bytes of the sweep's accumulators (both copies, the trash group included). */
export function sweepAccBytes(groups: number, sweep: number): number {
  return 2 * (groups + 1) * sweep * 16;
}

/** Bytes of the sweep's entries' table. */
export function sweepTableBytes(sweep: number): number {
  return sweep * ENTRY;
}

/** Float64 slots past the partial's end for the trash group's fine bins. */
export function fineTrashSlots(fine: number): number {
  return fine * FINE_FIELDS;
}

/**
 * Writes the entries' table at `table`, and configures both for a batch whose accumulators are at
 * `sweepAcc` and whose partial copy is at `partial` (byte offsets). Zeroes the trash group's fine
 * bins (never read, but kept finite).
 */
export function configureExtraSums(arena: WasmArena, shape: PartialShape, params: KernelParams, sweepAcc: number, table: number, partial: number): void {
  const S = sweepCount(params);
  const F = fineCount(params);
  let needsLog = 0;
  for (let s = 0; s < S; s++) {
    const code = params.sweep![s]!;
    const flsd = code === FLSD_53_CODE;
    const kind = flsd ? KIND_POW : code === 2 ? KIND_TWO : code === 0 ? KIND_ZERO : code === 1 ? KIND_ONE : KIND_POW;
    if (kind === KIND_POW) needsLog = 1;
    const f = (table + s * ENTRY) >> 3;
    arena.f64[f] = flsd ? FLSD_53_SCHEDULE.below : code;
    arena.f64[f + 1] = flsd ? FLSD_53_SCHEDULE.above : code;
    arena.f64[f + 2] = FLSD_53_SCHEDULE.cut;
    arena.i32[(f + 3) << 1] = kind;
  }
  arena.exports.configureSweep(sweepAcc, shape.groups, S, table, needsLog);
  const fine = partial + fineOffset(shape, 0, 0) * 8;
  arena.exports.configureFine(fine, F);
  const trash = (partial >> 3) + fineOffset(shape, shape.groups, 0);
  arena.f64.fill(0, trash, trash + fineTrashSlots(F));
}

/** After a chunk: adds its sweep accumulators into the partial copy at `partial` (mergeSweep). */
export function mergeExtraSums(arena: WasmArena, shape: PartialShape, partial: number): void {
  if ((shape.sweep ?? 0) > 0) arena.exports.mergeSweep(partial + sweepOffset(shape, 0, 0) * 8);
}

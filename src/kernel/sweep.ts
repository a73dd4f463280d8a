/**
 * The gamma sweep: besides the main gamma, a run can sum the focal term under further gammas in
 * the same pass (options.gammas), each entry its own easy and hard FL sums per group. An entry is
 * a number or FLSD-53, the sample-dependent schedule of Mukhoti et al. 2020:
 *
 *   FLSD-53:  gamma = 5 when p_t < 0.2, else 3
 *
 * Kernels take the entries as numbers (KernelParams.sweep), FLSD-53 as FLSD_53_CODE.
 */

/** The schedule's name, as the options and the report spell it. */
export const FLSD_53 = 'FLSD-53';
/** FLSD-53 among KernelParams.sweep's numbers (no gamma is negative). */
export const FLSD_53_CODE = -1;
/** FLSD-53's schedule: gamma `below` when p_t < cut, else `above` (the wasm kernel takes it from here too). */
export const FLSD_53_SCHEDULE = { cut: 0.2, below: 5, above: 3 } as const;

/** One entry of a sweep, as the options give it. */
export type SweepGamma = number | typeof FLSD_53;

/** (1 - p_t)^gamma, gamma 0, 1 and 2 without Math.pow (0^0 = 1): the one form every scalar kernel uses. */
export function modulating(gamma: number, oneMinusPt: number): number {
  return gamma === 2 ? oneMinusPt * oneMinusPt : gamma === 0 ? 1 : gamma === 1 ? oneMinusPt : Math.pow(oneMinusPt, gamma);
}

/** The modulating factor of a sweep entry (FLSD_53_CODE or a gamma) for one unit. */
export function sweepModulating(code: number, pt: number, oneMinusPt: number): number {
  const { cut, below, above } = FLSD_53_SCHEDULE;
  return code === FLSD_53_CODE ? modulating(pt < cut ? below : above, oneMinusPt) : modulating(code, oneMinusPt);
}

/** The kernels' numbers for a sweep's entries. */
export function sweepCodes(gammas: readonly SweepGamma[] | undefined): number[] {
  return (gammas ?? []).map((g) => (g === FLSD_53 ? FLSD_53_CODE : g));
}

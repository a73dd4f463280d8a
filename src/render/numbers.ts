/**
 * Numbers as the HTML report prints them: counts with thousands separators, other values to four
 * significant digits (in exponent form beyond 1e5 or below 1e-4), shares as percentages, and a
 * missing value (null: nothing to divide by) as an en dash.
 */

const MISSING = '–';
let intFormat: Intl.NumberFormat | null = null;

/** A count: 12,345. */
export function int(n: number): string {
  return (intFormat ??= new Intl.NumberFormat('en-US')).format(n);
}

/** A value to four significant digits. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return MISSING;
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-4 ? x.toExponential(3) : x.toPrecision(4);
}

/** A share in [0, 1] as a percentage with one decimal. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? MISSING : `${(100 * x).toFixed(1)}%`;
}

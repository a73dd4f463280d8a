/** The spec's tolerance, and a comparison of report-like values under it that lists every mismatch by path. */

/** The spec's tolerance for a sum: |a - e| <= max(1e-6 |e|, 1e-9). */
export function closeEnough(actual: number, expectedValue: number): boolean {
  if (!Number.isFinite(expectedValue)) return Object.is(actual, expectedValue);
  return Math.abs(actual - expectedValue) <= Math.max(1e-6 * Math.abs(expectedValue), 1e-9);
}

/** Keys whose numbers are counts: compared exactly. */
const COUNT_KEYS = new Set(['count', 'easyCount', 'rows', 'scored', 'ignored', 'invalid', 'index', 'counts', 'negatives', 'histogram', 'schemaVersion']);

/**
 * Report fields added after the example fixtures were written (issue 13): an expected value that
 * lacks one of them does not judge it (its own tests do); any other key is compared both ways.
 */
const ADDED_KEYS = new Set(['conventions', 'effectiveBeta', 'normalisation', 'warnings', 'health', 'sweep', 'gammas', 'concentration', 'calibration', 'hardest']);

/**
 * Compares a report-like value with an expected one: counts exactly, other numbers within the
 * spec's tolerance, everything else exactly. Returns the mismatches, one line each.
 */
export function mismatches(actual: unknown, expectedValue: unknown, path = '', exact = false): string[] {
  if (typeof expectedValue === 'number') {
    if (typeof actual !== 'number') return [`${path}: ${JSON.stringify(actual)}, expected ${expectedValue}`];
    const ok = exact ? actual === expectedValue : closeEnough(actual, expectedValue);
    return ok ? [] : [`${path}: ${actual}, expected ${expectedValue}`];
  }
  if (expectedValue === null || typeof expectedValue !== 'object') {
    return Object.is(actual, expectedValue) ? [] : [`${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expectedValue)}`];
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual) !== Array.isArray(expectedValue)) {
    return [`${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expectedValue)}`];
  }
  const a = actual as Record<string, unknown>;
  const e = expectedValue as Record<string, unknown>;
  const keys = new Set([...Object.keys(a).filter((k) => k in e || !ADDED_KEYS.has(k)), ...Object.keys(e)]);
  return [...keys].flatMap((k) => {
    const isIndex = Array.isArray(expectedValue);
    return mismatches(a[k], e[k], `${path}${isIndex ? `[${k}]` : `.${k}`}`, exact || (!isIndex && COUNT_KEYS.has(k)));
  });
}

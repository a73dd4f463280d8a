/**
 * Where the tests find the project and its fixtures: the files under test/fixtures (never
 * /work/shared: the project reads only its own files at test time), and their expected reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The project root. */
export const ROOT = new URL('../..', import.meta.url).pathname;
/** The fixtures directory. */
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** Path of a fixture file. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** A fixture's expected JSON. */
export function expected<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(fixture(`${name}.expected.json`), 'utf8')) as T;
}

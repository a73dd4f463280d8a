/**
 * The CLI as a user runs it: a whole `node bin/focal-eval.js score` process (start-up, pool,
 * workers reading their batches, JSON on stdout), timed from outside. Uses the build in dist/,
 * which `npm run build` makes; the bench checks it is there before timing anything.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/index.ts';
import { runTimed, type TimedRun } from './timedProcess.ts';

const BIN = fileURLToPath(new URL('../bin/focal-eval.js', import.meta.url));
const DIST_CLI = fileURLToPath(new URL('../dist/cli/cli.js', import.meta.url));

/** The scoring flags every runner of the bench uses. */
export const SCORE_FLAGS = ['--alpha', 'auto', '--gamma', '2', '--format', 'json'] as const;

/** A timed CLI run and the report it printed. */
export interface CliRun extends TimedRun {
  report: Report;
}

/** Throws unless the CLI has been built. */
export async function assertCliBuilt(): Promise<void> {
  await access(DIST_CLI).catch(() => {
    throw new Error(`${DIST_CLI} is missing: run "npm run build" first`);
  });
}

/** The command line that the bench times, for printing. */
export function cliCommand(file: string, threads: number): string {
  return ['node bin/focal-eval.js score', file, ...SCORE_FLAGS, '--threads', String(threads)].join(' ');
}

/**
 * Runs `focal-eval score FILE --alpha auto --gamma 2 --format json --threads N` once; throws if it
 * fails. `kernel: 'scalar'` sets FOCAL_EVAL_KERNEL=scalar, which makes the workers use the scalar
 * kernel instead of the WebAssembly one; `extraEnv` sets more (FOCAL_EVAL_PARQUET_READER, say);
 * `extraArgs` go after the flags (a later flag wins: `--gamma 0,0.5,1,2,5`).
 */
export async function runCli(
  file: string,
  threads: number,
  kernel: 'default' | 'scalar' = 'default',
  extraEnv: Record<string, string> = {},
  extraArgs: readonly string[] = [],
): Promise<CliRun> {
  const env = { ...(kernel === 'scalar' ? { FOCAL_EVAL_KERNEL: 'scalar' } : {}), ...extraEnv };
  const run = await runTimed(process.execPath, [BIN, 'score', file, ...SCORE_FLAGS, '--threads', String(threads), ...extraArgs], env);
  if (run.status !== 0) throw new Error(`focal-eval exited with ${run.status}: ${run.stderr.trim()}`);
  return { ...run, report: JSON.parse(run.stdout) as Report };
}

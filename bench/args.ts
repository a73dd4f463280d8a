/**
 * The bench's command line, parsed in one place so that run.ts reads as the procedure it is.
 *   --quick        small workloads (about a tenth of the rows) for a fast sanity run
 *   --only W1,W3   run only these workloads
 *   --runs N       timed runs per runner (median reported; default 5)
 *   --stage-only   only the stage's rows (score --emit against the pyarrow + numpy script)
 */
import { parseArgs } from 'node:util';

/** What the user asked the bench to do. */
export interface BenchArgs {
  quick: boolean;
  only: string[] | null;
  runs: number;
  stageOnly: boolean;
}

/** Parses the bench's flags; throws on an unknown flag or a bad count. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string', default: '5' },
      'stage-only': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const only = values.only === undefined ? null : values.only.split(',').map((w) => w.trim().toUpperCase());
  return { quick: values.quick, only, runs, stageOnly: values['stage-only'] };
}

/**
 * Evaluates inputs the way a user of the library does (`evaluate(path, { threads: 1 })`), one
 * after the other, in a process of its own, so that the test can tell a crash (the process dies)
 * or a hang (no answer in time) from an error, and go on with the rest in a new process.
 *
 * Usage: node --import tsx test/support/evaluateCase.ts < paths, one a line.
 * Prints "ready" once loaded, then one JSON line per path, in order (an EvaluateOutcome).
 */
import { evaluate } from '../../src/evaluate.ts';
import { FocalEvalError } from '../../src/errors.ts';

/** What evaluating one input came to. */
export type EvaluateOutcome =
  | { outcome: 'report'; rows: number; scored: number }
  | { outcome: 'rejected'; code: string; message: string }
  | { outcome: 'other-error'; message: string };

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function evaluateOne(path: string): Promise<EvaluateOutcome> {
  try {
    const report = await evaluate(path, { threads: 1 });
    return { outcome: 'report', rows: report.rows, scored: report.scored };
  } catch (error) {
    if (error instanceof FocalEvalError) return { outcome: 'rejected', code: error.code, message: error.message };
    return { outcome: 'other-error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const paths = (await readStdin()).split('\n').filter((line) => line.length > 0);
process.stdout.write('ready\n');
for (const path of paths) process.stdout.write(`${JSON.stringify(await evaluateOne(path))}\n`);
process.exit(0);

/**
 * Runs test cases through a helper script in child processes, so that a test can tell a crash
 * (the process dies) or a hang (no answer in time) from an error. The helper reads one case per
 * stdin line, prints "ready" once loaded, then one JSON line per case, in order. The cases go one
 * after the other; when one overruns its time limit the child is killed, and when the child dies
 * the case is recorded as a crash; either way a new child takes the remaining cases.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './fixtures.ts';
import type { EvaluateOutcome } from './evaluateCase.ts';

const STARTUP_MS = 30_000;

/** How one case ended: the helper's answer, or a hang, or a crash (with what the child printed on stderr). */
export interface ChildRun<T> {
  result?: T;
  timedOut?: boolean;
  crashed?: string;
}

/** One run of evaluateCase.ts: the input's path and how evaluating it ended. */
export interface CaseRun extends ChildRun<EvaluateOutcome> {
  path: string;
}

function runChild<T>(helper: string, lines: readonly string[], caseTimeoutMs: number): Promise<ChildRun<T>[]> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', helper], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const runs: ChildRun<T>[] = [];
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (last?: ChildRun<T>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (last) runs.push(last);
      child.kill('SIGKILL');
      done(runs);
    };
    const arm = (ms: number, last: ChildRun<T>): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(last), ms);
    };
    arm(STARTUP_MS, { crashed: 'the helper did not start' });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (settled) return;
      if (line !== 'ready') runs.push({ result: JSON.parse(line) as T });
      if (runs.length === lines.length) finish();
      else arm(caseTimeoutMs, { timedOut: true });
    });
    child.on('close', (code, signal) => {
      const why = `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`;
      finish(runs.length < lines.length ? { crashed: why } : undefined);
    });
    child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  });
}

/** Runs every case line through `helper` (a path from the project root), with a time limit per case; one run per line, in order. */
export async function runInChildren<T>(helper: string, lines: readonly string[], caseTimeoutMs: number): Promise<ChildRun<T>[]> {
  const runs: ChildRun<T>[] = [];
  while (runs.length < lines.length) runs.push(...(await runChild<T>(join(ROOT, helper), lines.slice(runs.length), caseTimeoutMs)));
  return runs;
}

/** Evaluates every path (sequentially, threads 1) with test/support/evaluateCase.ts and a time limit per case. */
export async function evaluateInChildren(paths: readonly string[], caseTimeoutMs: number): Promise<CaseRun[]> {
  const runs = await runInChildren<EvaluateOutcome>('test/support/evaluateCase.ts', paths, caseTimeoutMs);
  return runs.map((run, i) => ({ path: paths[i]!, ...run }));
}

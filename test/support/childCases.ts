/**
 * Runs inputs through test/support/evaluateCase.ts in child processes: the cases go one after the
 * other; when one overruns its time limit the child is killed, and when the child dies the case is
 * recorded as a crash; either way a new child takes the remaining cases.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../support.ts';
import type { EvaluateOutcome } from './evaluateCase.ts';

const HELPER = join(ROOT, 'test', 'support', 'evaluateCase.ts');
const STARTUP_MS = 30_000;

/** How one case ended: an outcome, or a hang, or a crash (with what the child printed on stderr). */
export interface CaseRun {
  path: string;
  result?: EvaluateOutcome;
  timedOut?: boolean;
  crashed?: string;
}

function runChild(paths: readonly string[], caseTimeoutMs: number): Promise<CaseRun[]> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HELPER], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const runs: CaseRun[] = [];
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (last?: CaseRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (last) runs.push(last);
      child.kill('SIGKILL');
      done(runs);
    };
    const arm = (ms: number, last: () => CaseRun): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(last()), ms);
    };
    arm(STARTUP_MS, () => ({ path: paths[0]!, crashed: 'the helper did not start' }));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (settled) return;
      if (line !== 'ready') runs.push({ path: paths[runs.length]!, result: JSON.parse(line) as EvaluateOutcome });
      if (runs.length === paths.length) finish();
      else arm(caseTimeoutMs, () => ({ path: paths[runs.length]!, timedOut: true }));
    });
    child.on('close', (code, signal) => {
      const why = `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`;
      finish(runs.length < paths.length ? { path: paths[runs.length]!, crashed: why } : undefined);
    });
    child.stdin.end(paths.map((p) => `${p}\n`).join(''));
  });
}

/** Evaluates every path (sequentially, threads 1) with a time limit per case. */
export async function evaluateInChildren(paths: readonly string[], caseTimeoutMs: number): Promise<CaseRun[]> {
  const runs: CaseRun[] = [];
  while (runs.length < paths.length) runs.push(...(await runChild(paths.slice(runs.length), caseTimeoutMs)));
  return runs;
}

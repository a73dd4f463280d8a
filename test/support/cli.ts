/**
 * Running the CLI as a user does, for the tests of --emit and --alpha-file: `node bin/focal-eval.js`
 * in a child process (bin/ imports the build in dist/, which `npm test` makes before vitest).
 * stdout is kept as bytes, since `--emit -` writes an Arrow IPC stream there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fixtures.ts';

/** The published entry point. */
export const BIN = join(ROOT, 'bin', 'focal-eval.js');

/** What a run of the CLI came to. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Throws a clear error when dist/ has not been built (bin/ runs the build). */
export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
}

/**
 * Starts the CLI with argv; `stdin` is piped to it (nothing, by default; 'held': a stdin left open
 * that sends nothing); `nodeOptions` go before the script; `env` is added to this process's environment.
 */
export function startCli(
  args: readonly string[],
  stdin?: Uint8Array | 'held',
  nodeOptions: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [...nodeOptions, BIN, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr }));
  });
  child.stdin!.on('error', () => {}); // the CLI may exit before reading all of stdin
  if (stdin !== 'held') child.stdin!.end(stdin ?? new Uint8Array(0));
  return { child, done };
}

/** Runs the CLI to the end. */
export function cli(
  args: readonly string[],
  stdin?: Uint8Array,
  nodeOptions: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  return startCli(args, stdin, nodeOptions, env).done;
}

/** The JSON on stdout (a report, or an error body). */
export function stdoutJson<T = unknown>(run: CliRun): T {
  return JSON.parse(run.stdout.toString('utf8')) as T;
}

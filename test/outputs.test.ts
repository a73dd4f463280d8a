/**
 * Where the CLI's outputs go (--out, --emit, --partial): an output that is an input (by any path:
 * the same name, a symlink, a hard link), a directory, two flags naming one file, or a file in a
 * folder that does not exist is refused before anything is read, exit 2, the input
 * untouched (a missing folder or a directory: exit 1, as a write that fails); a device or FIFO is written as it is, never replaced by a plain file (a rename over
 * /dev/null would break the machine); a full device is a one-line error, exit 1.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './support/fixtures.ts';
import { cli, requireBuild, startCli } from './support/cli.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

const INPUT = fixture('bin_probs.arrow');

function copyOfInput(name: string): string {
  const path = tmp.path(name);
  copyFileSync(INPUT, path);
  return path;
}

/** A device node made here (root only); null where the system does not let us. */
function device(name: string, minor: number): string | null {
  const path = tmp.path(name);
  try {
    execFileSync('mknod', [path, 'c', '1', String(minor)], { stdio: 'ignore' });
    return path;
  } catch {
    return null;
  }
}

describe('outputs that would overwrite an input, or cannot be, are refused before reading', () => {
  it.each([
    ['--out', 'the same path'],
    ['--emit', 'the same path'],
    ['--out', 'a symlink to it'],
    ['--out', 'a hard link to it'],
  ])('%s naming the input by %s', async (flag, how) => {
    const input = copyOfInput(`in-${flag}-${how.replace(/ /g, '-')}.arrow`);
    let output = input;
    if (how === 'a symlink to it') symlinkSync(input, (output = `${input}.link`));
    if (how === 'a hard link to it') linkSync(input, (output = `${input}.hard`));
    const before = readFileSync(input);
    const run = await cli(['score', input, flag, output, '--alpha', '0.25']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`focal-eval: ${flag} ${output} is the input ${input}: refusing to overwrite it`);
    expect(readFileSync(input).equals(before)).toBe(true);
  });

  it('two outputs naming one file', async () => {
    const out = tmp.path('both.out');
    const run = await cli(['score', INPUT, '--out', out, '--emit', out, '--alpha', '0.25']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--out and --emit name the same file ${out}`);
  });

  it('a folder that does not exist, and a directory', async () => {
    const missing = tmp.path('no/such/folder/report.json');
    let run = await cli(['score', INPUT, '--out', missing]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`focal-eval: cannot write the output: --out ${missing}: the folder ${tmp.path('no/such/folder')} does not exist\n`);
    run = await cli(['score', INPUT, '--out', tmp.dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`focal-eval: cannot write the output: --out ${tmp.dir} is a directory: name a file\n`);
  });

  it('a folder that takes no new file: one line naming the output, exit 1, nothing left in it', async (ctx) => {
    const dir = tmp.path('read-only');
    mkdirSync(dir);
    // root writes through permission bits, but not into an immutable folder (ext4's chattr +i).
    const root = process.getuid?.() === 0;
    try {
      if (root) execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
      else chmodSync(dir, 0o555);
    } catch {
      ctx.skip(); // no chattr, or a file system without the immutable flag (tmpfs)
    }
    try {
      const out = `${dir}/report.json`;
      const run = await cli(['score', INPUT, '--out', out]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^focal-eval: cannot write the output: ${out}: its folder ${dir} takes no new file \\((EPERM|EACCES)\\)\n$`));
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      if (root) execFileSync('chattr', ['-i', dir]);
      else chmodSync(dir, 0o755);
    }
  });
});

describe('devices and FIFOs are written as they are', () => {
  it('a null device takes the report and stays a device', async (ctx) => {
    const sink = device('null', 3);
    if (sink === null) return ctx.skip();
    const run = await cli(['score', INPUT, '--out', sink]);
    expect(run.code).toBe(0);
    expect(statSync(sink).isCharacterDevice()).toBe(true);
  });

  it('a full device is a one-line error naming the cause, exit 1, and stays a device', async (ctx) => {
    const full = device('full', 7);
    if (full === null) return ctx.skip();
    const run = await cli(['score', INPUT, '--out', full]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^focal-eval: cannot write the output: ENOSPC/);
    expect(statSync(full).isCharacterDevice()).toBe(true);
  });

  it('a FIFO gets the report as the reader reads it', async () => {
    const fifo = tmp.path('report.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = startCli(['score', INPUT, '--out', fifo, '--format', 'json']);
    // Read on the thread pool (opening a FIFO blocks until the writer opens it), bounded, so that a
    // writer that never opens it fails the test instead of hanging it.
    const text = await Promise.race([
      readFile(fifo, 'utf8'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('nothing came through the FIFO in 20 s')), 20_000).unref()),
    ]);
    const report = JSON.parse(text) as { mode: string };
    expect((await writer.done).code).toBe(0);
    expect(report.mode).toBe('binary');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });
});

describe('a reader that stops early (`| head`)', () => {
  /** Runs the CLI with its stdout closed by the reader after `bytes` bytes, as `| head -c` does. */
  async function closedAfter(args: readonly string[], bytes: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; got: number }> {
    const { child, done } = startCli(args);
    let got = 0;
    child.stdout!.removeAllListeners('data');
    child.stdout!.on('data', (b: Buffer) => {
      got += b.length;
      if (got >= bytes) child.stdout!.destroy();
    });
    const run = await done;
    return { code: run.code, signal: run.signal, stderr: run.stderr, got };
  }

  it('--emit - | head -c 100: ends quietly, status 0, after the reader has what it wanted', async () => {
    const run = await closedAfter(['score', fixture('mc_probs_f32.arrow'), '--alpha', '0.25', '--emit', '-'], 100);
    expect(run.got).toBeGreaterThanOrEqual(100);
    expect(run.stderr).toBe('');
    expect([run.code, run.signal]).toEqual([0, null]);
  });

  it('a table report | head -1: ends quietly, status 0', async () => {
    const run = await closedAfter(['score', fixture('mc_probs_f32.arrow'), '--format', 'table'], 1);
    expect(run.stderr).toBe('');
    expect([run.code, run.signal]).toEqual([0, null]);
  });
});

describe('two runs writing one output at once', () => {
  it('leave one whole report, never an interleaving of the two', async () => {
    const out = tmp.path('shared.json');
    const runs = await Promise.all(
      [fixture('mc_probs_f32.arrow'), fixture('mc_logits_f32.arrow')].map((input) => cli(['score', input, '--out', out, '--format', 'json'])),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { input: string; rows: number };
    expect(['probs', 'logits']).toContain(written.input);
  });
});

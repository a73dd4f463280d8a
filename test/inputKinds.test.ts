/**
 * Inputs that are not regular files: a directory is an E_INPUT error in one line (not an internal
 * error with a stack); a FIFO is read once, as a stream (its first bytes cannot be read twice, so
 * the format is told from the stream itself), to the report of the same bytes as a file; a
 * device of endless zeros, and random bytes, end at once with a clear error.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.ts';
import { FocalEvalError } from '../src/errors.ts';
import { cli, requireBuild } from './support/cli.ts';
import { fixture } from './support/fixtures.ts';
import { rng } from './support/rng.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

async function failure(path: string): Promise<FocalEvalError> {
  const error = await evaluate(path, { threads: 1 }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FocalEvalError);
  return error as FocalEvalError;
}

describe('inputs that are not regular files', () => {
  it('a directory: E_INPUT, one line on the CLI, exit 1', async () => {
    const error = await failure(tmp.dir);
    expect([error.code, error.message]).toEqual(['E_INPUT', `${tmp.dir}: is a directory, not a file`]);
    const run = await cli(['score', tmp.dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`focal-eval: ${tmp.dir}: is a directory, not a file\n`);
  });

  it('a FIFO carrying an IPC stream scores to the report of the same bytes as a file', async () => {
    const source = fixture('compressed/mc.arrows');
    const fifo = tmp.path('in.fifo');
    execFileSync('mkfifo', [fifo]);
    const writing = pipeline(createReadStream(source), createWriteStream(fifo));
    const fromFifo = await evaluate(fifo, { threads: 1 });
    await writing;
    expect(JSON.stringify(fromFifo)).toBe(JSON.stringify(await evaluate(source, { threads: 1 })));
  });

  it('endless zeros and random bytes end at once with a clear error', async () => {
    const zeros = await failure('/dev/zero');
    expect([zeros.code, zeros.message]).toEqual(['E_INPUT', '/dev/zero: empty Arrow IPC stream (no schema message)']);
    const next = rng(42);
    const random = tmp.write('random.bin', Uint8Array.from({ length: 8 * 1024 * 1024 }, () => Math.floor(next() * 256)));
    const error = await failure(random);
    expect(error.code).toBe('E_INPUT');
    expect(error.message).toContain(random);
  });
});

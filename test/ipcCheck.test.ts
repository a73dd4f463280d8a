/**
 * The IPC checks: valid files and streams pass unchanged, broken ones fail with E_INPUT naming
 * the input, and every file of Arrow's fuzz corpus, read through the checks and apache-arrow,
 * finishes (read or refused) instead of hanging. The corpus runs in a child process that is
 * killed when a case overruns, since some apache-arrow hangs are synchronous.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { RecordBatchReader, RecordBatchStreamWriter, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FocalEvalError } from '../src/errors.ts';
import { checkIpcFile, isIpcFileMagic } from '../src/input/ipc/fileCheck.ts';
import { checkedIpcStream } from '../src/input/ipc/streamCheck.ts';
import type { IpcBlock } from '../src/input/ipc/fileCheck.ts';
import type { CaseResult } from './support/readIpcCase.ts';
import { runInChildren, type ChildRun } from './support/childCases.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'test/fixtures');
const VALID_FILES = readdirSync(FIXTURES).filter((name) => name.endsWith('.arrow'));
const CASE_TIMEOUT_MS = 5_000;

const tmp = mkdtempSync(join(tmpdir(), 'ipc-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

function tempFile(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

// Deterministic "random" bytes (an LCG), so a failure can be reproduced.
function noise(length: number, seed = 12345): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return concat(...parts);
}

async function expectInputError(work: Promise<unknown>, name: string, reason: RegExp): Promise<void> {
  const error: unknown = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FocalEvalError);
  expect((error as FocalEvalError).code).toBe('E_INPUT');
  expect((error as FocalEvalError).message.startsWith(`${name}: `)).toBe(true);
  expect((error as FocalEvalError).message).toMatch(reason);
}

/** Where the footer Block describing `block` sits (found by its offset and metadata length). */
function blockPosition(file: Uint8Array, block: IpcBlock): number {
  const view = new DataView(file.buffer, file.byteOffset);
  const footerEnd = file.byteLength - 10;
  for (let at = footerEnd - view.getInt32(footerEnd, true); at + 24 <= footerEnd; at++) {
    if (view.getBigInt64(at, true) === BigInt(block.offset) && view.getInt32(at + 8, true) === block.metaDataLength) return at;
  }
  throw new Error('block not found in the footer');
}

/** A copy of the file with footer Blocks rewritten: each [block, replacement] pair in turn. */
function patchBlocks(file: Uint8Array, patches: [IpcBlock, { offset: bigint; metaDataLength: number; bodyLength: bigint }][]): Uint8Array {
  const positions = patches.map(([block]) => blockPosition(file, block));
  const out = file.slice();
  const view = new DataView(out.buffer);
  patches.forEach(([, to], i) => {
    const at = positions[i]!;
    view.setBigInt64(at, to.offset, true);
    view.setInt32(at + 8, to.metaDataLength, true);
    view.setBigInt64(at + 16, to.bodyLength, true);
  });
  return out;
}

function asPatch(block: IpcBlock): { offset: bigint; metaDataLength: number; bodyLength: bigint } {
  return { offset: BigInt(block.offset), metaDataLength: block.metaDataLength, bodyLength: BigInt(block.bodyLength) };
}

/** Length of a stream's first message's prefix and metadata. */
function messageLength(bytes: Uint8Array): number {
  return 8 + new DataView(bytes.buffer, bytes.byteOffset).getInt32(4, true);
}

describe('isIpcFileMagic', () => {
  it('recognises the ARROW1 magic', () => {
    expect(isIpcFileMagic(fixture('bin_probs.arrow'))).toBe(true);
  });

  it('refuses other bytes and short heads', () => {
    expect(isIpcFileMagic(new TextEncoder().encode('ARROW2'))).toBe(false);
    expect(isIpcFileMagic(new TextEncoder().encode('ARROW'))).toBe(false);
  });
});

describe('checkIpcFile', () => {
  it.each(VALID_FILES)('accepts the valid file %s and lists its blocks', async (name) => {
    const path = join(FIXTURES, name);
    const layout = await checkIpcFile(path);
    const table = tableFromIPC(readFileSync(path));
    expect(layout.size).toBe(readFileSync(path).byteLength);
    expect(layout.recordBatches.length).toBe(table.batches.length);
    for (const block of [...layout.recordBatches, ...layout.dictionaries]) {
      expect(block.offset).toBeGreaterThanOrEqual(8);
      expect(block.offset + block.metaDataLength + block.bodyLength).toBeLessThanOrEqual(layout.size);
    }
  });

  it('accepts a file with no record batches', async () => {
    const empty = tableFromIPC(fixture('bin_probs.arrow')).slice(0, 0);
    const path = tempFile('no-batches.arrow', tableToIPC(new Table(empty.schema), 'file'));
    expect((await checkIpcFile(path)).recordBatches).toEqual([]);
  });

  it('rejects an empty file, naming it', async () => {
    const path = tempFile('empty.arrow', new Uint8Array(0));
    await expectInputError(checkIpcFile(path), path, /empty file/);
  });

  it('rejects a file that starts with four zero bytes', async () => {
    const path = tempFile('zeros.arrow', new Uint8Array(64));
    await expectInputError(checkIpcFile(path), path, /bad magic/);
  });

  it('rejects a truncated file, naming it', async () => {
    const bytes = fixture('bin_probs.arrow');
    const path = tempFile('truncated.arrow', bytes.subarray(0, bytes.byteLength >> 1));
    await expectInputError(checkIpcFile(path), path, /truncated/);
  });

  it('rejects random bytes, naming the file', async () => {
    const path = tempFile('noise.arrow', noise(4096));
    await expectInputError(checkIpcFile(path), path, /not an Arrow IPC file/);
  });

  it('rejects a garbage footer between valid magics', async () => {
    const footer = noise(512, 7);
    const length = new Uint8Array(new Int32Array([footer.byteLength]).buffer);
    const magic = new TextEncoder().encode('ARROW1');
    const path = tempFile('garbage-footer.arrow', concat(magic, new Uint8Array(2), noise(64, 9), footer, length, magic));
    await expectInputError(checkIpcFile(path), path, /.+/);
  });

  it('rejects a missing file with E_INPUT', async () => {
    const path = join(tmp, 'missing.arrow');
    await expectInputError(checkIpcFile(path), path, /cannot read the file/);
  });

  it('rejects an IPC stream given as a file', async () => {
    const path = tempFile('stream.arrow', tableToIPC(tableFromIPC(fixture('bin_probs.arrow')), 'stream'));
    await expectInputError(checkIpcFile(path), path, /looks like an IPC stream/);
  });

  it('rejects a footer block with a negative offset', async () => {
    const bytes = fixture('bin_probs.arrow');
    const block = (await checkIpcFile(join(FIXTURES, 'bin_probs.arrow'))).recordBatches[0]!;
    const path = tempFile('negative-offset.arrow', patchBlocks(bytes, [[block, { ...asPatch(block), offset: -8n }]]));
    await expectInputError(checkIpcFile(path), path, /offset \(-8\) is out of range/);
  });

  it('rejects a footer block that points at the wrong kind of message', async () => {
    const bytes = fixture('mc_dict_labels.arrow');
    const layout = await checkIpcFile(join(FIXTURES, 'mc_dict_labels.arrow'));
    const [dictionary, batch] = [layout.dictionaries[0]!, layout.recordBatches[0]!];
    const swapped = patchBlocks(bytes, [
      [dictionary, asPatch(batch)],
      [batch, asPatch(dictionary)],
    ]);
    const path = tempFile('swapped-blocks.arrow', swapped);
    await expectInputError(checkIpcFile(path), path, /holds a RecordBatch message, not a DictionaryBatch/);
  });

  it('rejects a footer block whose body runs into the footer', async () => {
    const bytes = fixture('bin_probs.arrow');
    const layout = await checkIpcFile(join(FIXTURES, 'bin_probs.arrow'));
    const block = layout.recordBatches[layout.recordBatches.length - 1]!;
    const path = tempFile('long-body.arrow', patchBlocks(bytes, [[block, { ...asPatch(block), bodyLength: BigInt(layout.size) }]]));
    await expectInputError(checkIpcFile(path), path, /body length/);
  });
});

describe('checkedIpcStream', () => {
  const table = tableFromIPC(fixture('mc_dict_labels.arrow'));
  const stream = tableToIPC(table, 'stream');

  async function readBack(source: AsyncIterable<Uint8Array>): Promise<RecordBatch[]> {
    const reader = await RecordBatchReader.from(checkedIpcStream(source, 'mem.arrows'));
    const batches: RecordBatch[] = [];
    for await (const batch of reader) batches.push(batch);
    return batches;
  }

  it('passes the bytes through unchanged', async () => {
    const passed = await collect(checkedIpcStream(chunked(stream, 777), 'mem.arrows'));
    expect(Buffer.from(passed).equals(Buffer.from(stream))).toBe(true);
  });

  it('round-trips a stream through apache-arrow identically', async () => {
    const back = new Table(await readBack(chunked(stream, 777)));
    expect(back.numRows).toBe(table.numRows);
    expect(back.schema.fields.map(String)).toEqual(table.schema.fields.map(String));
    expect(Buffer.from(tableToIPC(back, 'stream')).equals(Buffer.from(stream))).toBe(true);
  });

  it('reads the legacy format without continuation markers', async () => {
    const legacy = RecordBatchStreamWriter.writeAll(table, { writeLegacyIpcFormat: true }).toUint8Array(true);
    const back = new Table(await readBack(chunked(legacy, 4096)));
    expect(Buffer.from(tableToIPC(back, 'stream')).equals(Buffer.from(stream))).toBe(true);
  });

  it('ends at a clean EOF without the end-of-stream marker', async () => {
    const back = new Table(await readBack(chunked(stream.subarray(0, stream.byteLength - 8), 4096)));
    expect(back.numRows).toBe(table.numRows);
  });

  it('rejects an empty stream, naming it', async () => {
    await expectInputError(collect(checkedIpcStream(chunked(new Uint8Array(0), 1), 'empty.arrows')), 'empty.arrows', /empty Arrow IPC stream/);
  });

  it('rejects a stream of four zero bytes (an end marker before any schema)', async () => {
    await expectInputError(collect(checkedIpcStream(chunked(new Uint8Array(4), 4), 'zeros.arrows')), 'zeros.arrows', /no schema/);
  });

  it('rejects a stream cut inside a message', async () => {
    const cut = stream.subarray(0, stream.byteLength - 100);
    await expectInputError(readBack(chunked(cut, 4096)), 'mem.arrows', /truncated/);
  });

  it('rejects a negative metadata length', async () => {
    const bytes = concat(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xf8, 0xff, 0xff, 0xff]), stream.subarray(8));
    await expectInputError(readBack(chunked(bytes, 4096)), 'mem.arrows', /metadata length -8 is out of range/);
  });

  it('rejects a stream that does not start with a schema', async () => {
    await expectInputError(readBack(chunked(stream.subarray(messageLength(stream)), 4096)), 'mem.arrows', /not a Schema/);
  });

  it('rejects an Arrow IPC file given as a stream', async () => {
    await expectInputError(readBack(chunked(fixture('bin_probs.arrow'), 4096)), 'mem.arrows', /starts like an Arrow IPC file/);
  });

  it('rejects random bytes', async () => {
    await expectInputError(readBack(chunked(noise(4096), 512)), 'mem.arrows', /.+/);
  });
});

// ---------------------------------------------------------------------------------------------
// The fuzz corpus, read in a child process (test/support/readIpcCase.ts) that takes the cases
// one after the other; when one overruns, the child is killed and a new one takes the rest.

type Kind = 'file' | 'stream';

interface CorpusCase {
  readonly kind: Kind;
  readonly path: string;
}

interface CaseRun extends CorpusCase, ChildRun<CaseResult> {}

function corpus(kind: Kind): CorpusCase[] {
  const dir = join(FIXTURES, `corpus/arrow-ipc-${kind}`);
  return readdirSync(dir)
    .filter((name) => name !== 'README.md')
    .sort()
    .map((name) => ({ kind, path: join(dir, name) }));
}

/** Reads every case in child processes (test/support/readIpcCase.ts); the runs by path. */
async function runAll(cases: readonly CorpusCase[]): Promise<Map<string, CaseRun>> {
  const lines = cases.map((c) => `${c.kind}\t${c.path}`);
  const runs = await runInChildren<CaseResult>('test/support/readIpcCase.ts', lines, CASE_TIMEOUT_MS);
  return new Map(runs.map((run, i) => [cases[i]!.path, { ...cases[i]!, ...run }]));
}

/** Asserts that a case finished: read, or refused with E_INPUT naming its file; never hung or crashed. */
function expectFinished(run: CaseRun | undefined, path: string): void {
  expect(run?.timedOut ?? false).toBe(false);
  expect(run?.crashed).toBeUndefined();
  expect(run?.result).toBeDefined();
  if (run?.result?.outcome === 'rejected') {
    expect(run.result.code).toBe('E_INPUT');
    expect(run.result.message.startsWith(`${path}: `)).toBe(true);
  }
}

describe('the Arrow fuzz corpus', () => {
  const cases = [...corpus('file'), ...corpus('stream')];
  let runs = new Map<string, CaseRun>();
  beforeAll(async () => {
    runs = await runAll(cases);
  }, 600_000);

  it.each(cases.map((c) => [`${c.kind}/${basename(c.path)}`, c] as const))('%s is read or refused within the timeout', (_label, c) => {
    expectFinished(runs.get(c.path), c.path);
  });
});

// Small valid files and streams with a few bytes overwritten: most edits land in the metadata.
function mutatedCases(count: number): CorpusCase[] {
  const bases: [Kind, Uint8Array][] = [];
  for (const name of ['bin_probs.arrow', 'mc_dict_labels.arrow']) {
    const table = tableFromIPC(fixture(name));
    const small = new Table(table.batches.slice(0, 2).map((batch) => batch.slice(0, 7)));
    bases.push(['file', tableToIPC(small, 'file')], ['stream', tableToIPC(small, 'stream')]);
  }
  const bytes = noise(count * 9, 99);
  return Array.from({ length: count }, (_, n) => {
    const [kind, base] = bases[bytes[9 * n]! % bases.length]!;
    const mutated = base.slice();
    for (let edit = 0; edit < 4; edit++) {
      const [hi, lo] = [bytes[9 * n + 1 + 2 * edit]!, bytes[9 * n + 2 + 2 * edit]!];
      mutated[(hi << 8 | lo) % mutated.byteLength] = lo < 128 ? 0xff : hi;
    }
    return { kind, path: tempFile(`mutated-${n}.${kind}`, mutated) };
  });
}

describe('mutated valid inputs', () => {
  it('are all read or refused within the timeout', async () => {
    const cases = mutatedCases(300);
    const runs = await runAll(cases);
    for (const c of cases) expectFinished(runs.get(c.path), c.path);
    const outcomes = new Set([...runs.values()].map((run) => run.result?.outcome));
    expect(outcomes.has('rejected')).toBe(true);
  }, 600_000);
});

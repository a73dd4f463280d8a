/**
 * writeAtomically's cancellation (cancelWrites, which the CLI's signal handler calls): every file
 * being written is removed at once, even by a writer that never hears of the signal, nothing is
 * renamed into place afterwards, and the final name keeps its old content.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { cancelWrites, writeAtomically } from '../src/cli/write.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('cancelWrites', () => {
  it('removes a temporary file mid-write, refuses the rename, and the old file keeps its content', async () => {
    const out = tmp.path('report.html');
    writeFileSync(out, 'old');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let tmpName = '';
    const writing = writeAtomically(out, async (path) => {
      tmpName = path;
      await writeFile(path, 'half of it');
      await gate; // a writer that knows nothing of signals
      await writeFile(path, 'all of it');
    });
    while (tmpName === '' || !existsSync(tmpName)) await new Promise((r) => setTimeout(r, 5));
    cancelWrites();
    expect(existsSync(tmpName)).toBe(false); // at once, before the writer is done
    release();
    await expect(writing).rejects.toMatchObject({ name: 'AbortError', code: 'E_ABORTED' });
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(readdirSync(tmp.dir)).toEqual(['report.html']);
  });

  it('after it, a new write is refused before it starts', async () => {
    let called = false;
    await expect(
      writeAtomically(tmp.path('later.json'), async () => {
        called = true;
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(called).toBe(false);
    expect(existsSync(tmp.path('later.json'))).toBe(false);
  });
});

/**
 * `focal-eval score --partial` and `focal-eval merge` as a user runs them: shards of a fixture
 * scored to partial files, merged into the bytes `score` prints for the whole file; the errors
 * (incompatible partials, a bad partial file) on one line naming the file, with the exit status.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, requireBuild } from './support/cli.ts';
import { fixture } from './support/fixtures.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
beforeAll(requireBuild);
afterAll(() => tmp.cleanup());

describe('focal-eval merge', () => {
  it('merges shards scored with --batches --partial into the bytes of one score over the file', async () => {
    const file = fixture('ml_logits.arrow');
    const flags = ['--alpha', 'auto', '--gamma', '1.5', '--threads', '1'];
    const parts = [tmp.path('a.partial'), tmp.path('b.partial'), tmp.path('c.partial')];
    for (const [i, range] of ['0:1', '1:4', '4:9'].entries()) {
      const run = await cli(['score', file, '--batches', range, '--partial', parts[i]!, ...flags]);
      expect(run.stderr).toBe('');
      expect([run.code, run.stdout.length]).toEqual([0, 0]);
    }
    const single = await cli(['score', file, '--format', 'json', ...flags]);
    const merged = await cli(['merge', ...parts, '--format', 'json']);
    expect(merged.code).toBe(0);
    expect(merged.stdout.equals(single.stdout)).toBe(true);
    // A merge of merges, through --partial -, and --out.
    const ab = await cli(['merge', parts[0]!, parts[1]!, '--partial', '-']);
    writeFileSync(tmp.path('ab.partial'), ab.stdout);
    await cli(['merge', tmp.path('ab.partial'), parts[2]!, '--format', 'json', '--out', tmp.path('report.json')]);
    expect(readFileSync(tmp.path('report.json')).equals(single.stdout)).toBe(true);
  });

  it('refuses partials scored with other options: exit 2, one line naming both files and the option', async () => {
    const file = fixture('bin_probs.arrow');
    await cli(['score', file, '--batches', '0:2', '--partial', tmp.path('g2.partial'), '--threads', '1']);
    await cli(['score', file, '--batches', '2:5', '--partial', tmp.path('g1.partial'), '--gamma', '1', '--threads', '1']);
    const run = await cli(['merge', tmp.path('g2.partial'), tmp.path('g1.partial')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`focal-eval: ${tmp.path('g1.partial')}: cannot be merged with ${tmp.path('g2.partial')}: option gamma 1 here, 2 there\n`);
  });

  it('a file that is not a partial: exit 1, one line naming it', async () => {
    writeFileSync(tmp.path('bad.partial'), '{"format":"focal-eval-partial","version":2}');
    const run = await cli(['merge', tmp.path('bad.partial')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^focal-eval: ${tmp.path('bad.partial')}: not a focal-eval partial file \\(version 2\\): inputs: [^\\n]*\\n$`));
  });

  it('a partial file of version 1 (before the health counts): exit 1, one line saying to score again', async () => {
    writeFileSync(tmp.path('old.partial'), '{"format":"focal-eval-partial","version":1}');
    const run = await cli(['merge', tmp.path('old.partial')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `focal-eval: ${tmp.path('old.partial')}: a focal-eval partial file of version 1, written before the numerical-health counts (version 2): score its inputs again with --partial\n`,
    );
  });

  it('takes no data options, and --partial does not go with --emit', async () => {
    expect((await cli(['merge', tmp.path('a.partial'), '--gamma', '1'])).code).toBe(2);
    const run = await cli(['score', fixture('bin_probs.arrow'), '--partial', tmp.path('x.partial'), '--emit', tmp.path('x.arrows')]);
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([2, 'focal-eval: --emit cannot go with --partial']);
  });
});

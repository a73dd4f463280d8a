/** The demo and the library example run as a user runs them, so that they never rot. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;

describe('examples', () => {
  it('npm run demo generates the dump and prints the per-class table', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { cwd: root });
    expect(stdout).toMatch(/^background\s+179,658/m);
    expect(stdout).toMatch(/^total\s+199,892/m);
    expect(stdout).toContain('npx focal-eval score');
  });

  it('the library example prints fields of the report', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/library.ts'], { cwd: root });
    expect(stdout).toMatch(/^199892 units scored, 108 rows ignored/);
    expect(stdout).toMatch(/easy units carry [0-9.]+% of CE but [0-9.]+% of FL/);
  });
});

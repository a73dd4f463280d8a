/**
 * The build (scripts/bundle.mjs) bundles what starts on every run, so the CLI does not load its
 * ~30 modules, zod's ~100 or piscina's ~20 at start-up, nor each worker the ~20 of its own. This
 * checks the built files are those bundles, and that they work.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/report.ts';
import { fixture } from './support.ts';
import { cli, stdoutJson } from './support/cli.ts';

const built = new URL('../dist/src/zod.js', import.meta.url);
const builtPool = new URL('../dist/src/piscina.js', import.meta.url);

describe('dist/src/zod.js', () => {
  it('is self-contained: it imports nothing from the zod package', () => {
    const text = readFileSync(built, 'utf8');
    expect(text).not.toMatch(/from\s+["']zod[/"']/);
    expect(text).not.toMatch(/import\(["']zod[/"']/);
  });

  it('is the tree-shaken subset, not all of zod (under 100 kB)', () => {
    expect(readFileSync(built).byteLength).toBeLessThan(100 * 1024);
  });

  it('exports every builder src/zod.ts lists, and they build working schemas', async () => {
    const source = readFileSync(new URL('../src/zod.ts', import.meta.url), 'utf8');
    const listed = [...source.matchAll(/^ {2}(\w+),$/gm)].map((m) => m[1]!);
    const z = (await import(built.href)) as Record<string, unknown>;
    expect(listed.length).toBeGreaterThan(10);
    for (const name of listed) expect(z[name], name).toBeDefined();
    const { strictObject, number, gte } = z as unknown as typeof import('../src/zod.ts');
    const schema = strictObject({ g: number().check(gte(0)) });
    expect(schema.safeParse({ g: 1 }).success).toBe(true);
    const bad = schema.safeParse({ g: -1 });
    expect(bad.success).toBe(false);
    // zod's English messages are configured, not the bare "Invalid input" of zod/mini alone.
    expect(bad.error?.issues[0]?.message).toMatch(/too small/i);
  });
});

describe('dist/src/piscina.js', () => {
  it("is self-contained: piscina's main-thread code is inside, only its worker entry is looked up", () => {
    const text = readFileSync(builtPool, 'utf8');
    expect(text).not.toMatch(/from\s+["']piscina[/"']/);
    expect(text).not.toMatch(/require\(["']piscina[/"']/);
    expect(text).toContain("require.resolve('piscina')");
  });

  it('runs tasks on a worker of its own (piscina finds its worker entry from the bundle)', async () => {
    const { Piscina } = (await import(builtPool.href)) as typeof import('../src/piscina.ts');
    const pool = new Piscina({ filename: new URL('./helpers/echoWorker.mjs', import.meta.url).href, maxThreads: 1 });
    try {
      expect(await pool.run(20)).toBe(21);
    } finally {
      await pool.destroy();
    }
  });
});

describe('dist/workers/score.js', () => {
  const worker = new URL('../dist/workers/score.js', import.meta.url);

  it('is one module: it imports no other file of the project', () => {
    const text = readFileSync(worker, 'utf8');
    expect(text).not.toMatch(/from\s+["']\.\.?\//);
    expect(text).not.toMatch(/import\(["']\.\.?\//);
  });

  it('finds focal.wasm beside it and scores with it (FOCAL_EVAL_KERNEL=wasm fails otherwise), as the scalar kernel does', async () => {
    expect(readFileSync(new URL('../dist/workers/focal.wasm', import.meta.url))).toEqual(
      readFileSync(new URL('../src/kernel/wasm/focal.wasm', import.meta.url)),
    );
    const args = ['score', fixture('mc_logits_f32.arrow'), '--alpha', 'auto', '--format', 'json', '--threads', '2'];
    const wasm = await cli(args, undefined, [], { FOCAL_EVAL_KERNEL: 'wasm' });
    const scalar = await cli(args, undefined, [], { FOCAL_EVAL_KERNEL: 'scalar' });
    expect(wasm.stderr).toBe('');
    expect(wasm.code).toBe(0);
    expect(scalar.code).toBe(0);
    const [a, b] = [stdoutJson<Report>(wasm), stdoutJson<Report>(scalar)];
    expect(a.rows).toBe(b.rows);
    expect(Math.abs(a.total.sumLoss - b.total.sumLoss)).toBeLessThanOrEqual(1e-6 * Math.abs(b.total.sumLoss));
  });
});

describe('dist/cli (what bin/focal-eval.js loads)', () => {
  const dir = new URL('../dist/cli/', import.meta.url);
  const code = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => [f, readFileSync(new URL(f, dir), 'utf8')] as const);

  it('imports only its own chunks, Node built-ins, and apache-arrow / parquet-wasm (for the inputs that need them)', () => {
    const specifiers = code.flatMap(([, text]) => [...text.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)].map((m) => m[1]!));
    const outside = specifiers.filter((s) => !/^\.\/[\w-]+\.js$/.test(s) && !s.startsWith('node:') && !/^(apache-arrow|parquet-wasm)(\/|$)/.test(s));
    expect(outside).toEqual([]);
    expect(specifiers).not.toContain('zod');
  });

  it('holds one dispatch module, so the pool prestart.js warms is the one cli.js takes', () => {
    const copies = code.filter(([, text]) => text.includes('function warmPool(')).length;
    expect(copies).toBe(1);
    expect(code.map(([f]) => f)).toEqual(expect.arrayContaining(['prestart.js', 'cli.js']));
  });
});

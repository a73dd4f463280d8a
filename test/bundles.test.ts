/**
 * The build (scripts/bundle.mjs) bundles what starts on every run, so the CLI does not load its
 * ~30 modules, zod's ~100 or piscina's ~20 at start-up, nor each worker the ~20 of its own. This
 * checks the built files are those bundles, and that they work.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/report/schema.ts';
import { fixture } from './support/fixtures.ts';
import { cli, stdoutJson } from './support/cli.ts';

const built = new URL('../dist/src/zod.js', import.meta.url);
const builtPool = new URL('../dist/src/pool/piscina.js', import.meta.url);

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

describe('dist/src/pool/piscina.js', () => {
  it("is self-contained: piscina's main-thread code is inside, only its worker entry is looked up", () => {
    const text = readFileSync(builtPool, 'utf8');
    expect(text).not.toMatch(/from\s+["']piscina[/"']/);
    expect(text).not.toMatch(/require\(["']piscina[/"']/);
    expect(text).toContain("require.resolve('piscina')");
  });

  it('runs tasks on a worker of its own (piscina finds its worker entry from the bundle)', async () => {
    const { Piscina } = (await import(builtPool.href)) as typeof import('../src/pool/piscina.ts');
    const pool = new Piscina({ filename: new URL('./support/echoWorker.mjs', import.meta.url).href, maxThreads: 1 });
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

  it('finds focal.wasm at its mirrored place and scores with it (FOCAL_EVAL_KERNEL=wasm fails otherwise), as the scalar kernel does', async () => {
    expect(readFileSync(new URL('../dist/src/kernel/wasm/focal.wasm', import.meta.url))).toEqual(
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

  it('imports only its own chunks, Node built-ins, apache-arrow / parquet-wasm (for the inputs that need them) and bullmq / ioredis (for cluster)', () => {
    // Import statements (esbuild starts each on a line) and dynamic imports; not "from" in a comment.
    const statements = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;
    const specifiers = code.flatMap(([, text]) => [...text.matchAll(statements)].map((m) => (m[1] ?? m[2])!));
    // The --html chunks (vega) import Node's fs as "fs", and try an optional "canvas" (absent: vega then measures text itself).
    const vega = ['fs', 'canvas'];
    const outside = specifiers.filter(
      (s) => !/^\.\/[\w.-]+\.js$/.test(s) && !s.startsWith('node:') && !vega.includes(s) && !/^(apache-arrow|parquet-wasm|bullmq|ioredis)(\/|$)/.test(s),
    );
    expect(outside).toEqual([]);
    expect(specifiers).not.toContain('zod');
  });

  it('loads vega and vega-lite only for --html: no chunk that cli.js or prestart.js imports statically holds them', () => {
    const texts = new Map(code);
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      // Static imports only (`from "./x.js"`, `import "./x.js"`); `import("./x.js")` loads on demand.
      for (const m of texts.get(file)!.matchAll(/(?:from|import)\s*["']\.\/([\w.-]+\.js)["']/g)) visit(m[1]!);
    };
    visit('prestart.js');
    visit('cli.js');
    // vega's SVG renderer and vega-lite's schema URL mark their code.
    const vega = (text: string) => /SVGStringRenderer|vega\.github\.io\/schema\/vega-lite/.test(text);
    expect(code.filter(([, text]) => vega(text)).length).toBeGreaterThan(0);
    expect([...loaded].filter((file) => vega(texts.get(file)!))).toEqual([]);
    expect(loaded.size).toBeGreaterThan(2);
  });

  it('holds one pool module, so the pool prestart.js warms is the one cli.js takes', () => {
    const copies = code.filter(([, text]) => text.includes('function warmPool(')).length;
    expect(copies).toBe(1);
    expect(code.map(([f]) => f)).toEqual(expect.arrayContaining(['prestart.js', 'cli.js']));
  });
});

describe('runtime paths (src/paths.ts) in the built package', () => {
  const dist = (file: string): URL => new URL(`../dist/${file}`, import.meta.url);

  it("resolve from tsc's module to the built files, which exist", async () => {
    const paths = (await import(dist('src/paths.js').href)) as typeof import('../src/paths.ts');
    expect(paths.FROM_SOURCE).toBe(false);
    expect(paths.WORKER_URL.href).toBe(dist('workers/score.js').href);
    expect(paths.WASM_URL.href).toBe(dist('src/kernel/wasm/focal.wasm').href);
    expect(paths.PACKAGE_JSON_URL.href).toBe(new URL('../package.json', import.meta.url).href);
    expect(paths.PAGES_WASM_URL.href).toBe(dist('src/input/parquet/wasm/pages.wasm').href);
    for (const url of [paths.WORKER_URL, paths.WASM_URL, paths.PAGES_WASM_URL, paths.PACKAGE_JSON_URL]) expect(existsSync(url), url.href).toBe(true);
  });

  it('resolve the same from the bundles, which inline paths.ts one folder below dist/', () => {
    const cliCode = readdirSync(dist('cli/')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(dist(`cli/${f}`), 'utf8')).join('\n');
    expect(cliCode).toContain('dist/workers/score.js');
    expect(readFileSync(dist('workers/score.js'), 'utf8')).toContain('dist/src/kernel/wasm/focal.wasm');
  });

  it('every file bin/focal-eval.js and the exports map name exists', async () => {
    const bin = new URL('../bin/focal-eval.js', import.meta.url);
    const imported = [...readFileSync(bin, 'utf8').matchAll(/import(?:\(| .* from )\s*'([^']+)'/g)].map((m) => m[1]!);
    expect(imported.length).toBeGreaterThanOrEqual(2);
    for (const spec of imported) expect(existsSync(new URL(spec, bin)), spec).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
    const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t as Record<string, string>)));
    for (const target of targets) expect(existsSync(fileURLToPath(new URL(`../${target}`, import.meta.url))), target).toBe(true);
  });
});

/**
 * Bundles what starts on every run, so that start-up loads a few files instead of many (each
 * module costs its own resolve, read, compile and link). With esbuild, after tsc:
 *
 *   dist/cli/              the CLI's main thread, as bin/focal-eval.js loads it: prestart.js
 *                          (the pool) and cli.js (the rest), sharing chunks, so that both see one
 *                          pool module and the pool prestart warms is the one cli.js takes;
 *                          zod/mini and piscina inside, tree-shaken. Measured against the tsc
 *                          modules: the CLI on a one-batch file 0.17 -> 0.15 s (median of 10).
 *                          vega and vega-lite are inside too, in chunks (~2.2 MB) that only
 *                          --html imports (src/cli/write.ts, writeReport): no other run reads them.
 *   in place of tsc's      dist/src/zod.js (the zod/mini builders src/zod.ts lists, tree-shaken,
 *   module, at the same    ~60 kB), dist/src/pool/piscina.js (piscina's main-thread code), and
 *   path under dist/       dist/workers/score.js (the worker with the kernels and readers it
 *                          imports, ~50 kB: each worker starts ~6 ms sooner)
 *
 * and copies focal.wasm and pages.wasm to their mirrored places under dist/, where src/paths.ts finds them. dist/
 * mirrors the source tree one level down: that is the one rule src/paths.ts relies on.
 * apache-arrow and parquet-wasm stay packages everywhere, loaded only by the inputs that need
 * them. piscina's worker entry stays its own file in node_modules.
 *
 *   node scripts/bundle.mjs   (run by `npm run build`, after tsc)
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const root = (file) => new URL(`../${file}`, import.meta.url).pathname;
const common = { bundle: true, format: 'esm', platform: 'node', target: 'node20', legalComments: 'eof', sourcemap: true, metafile: true, logLevel: 'warning' };

// piscina is CommonJS: in an ES module bundle its require() of Node's modules needs a real
// require, and the one place it uses __dirname (to find its worker entry, worker.js) must
// still point into node_modules/piscina/dist.
const commonJsShim = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { dirname as __dirnameOf } from 'node:path';",
  'const require = __createRequire(import.meta.url);',
  "const __piscinaDir = __dirnameOf(require.resolve('piscina'));",
].join('\n');

const piscinaInside = { banner: { js: commonJsShim }, define: { __dirname: '__piscinaDir' } };

/**
 * esbuild puts the banner atop every output file, chunks included, and each file that runs it
 * resolves piscina again (require.resolve: ~0.6-2 ms a file, ~7 ms over the nine files a plain
 * `score` loads, all on the main thread before its first task). In a file that uses neither
 * the shim's require nor __piscinaDir, its lines are blanked (kept as empty lines, so that the
 * source map's line numbers still hold).
 */
function dropUnusedShim(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const shim = commonJsShim.split('\n');
  if (shim.some((line, k) => lines[k] !== line)) return;
  const rest = lines.slice(shim.length).join('\n');
  const usesDir = /\b__piscinaDir\b/.test(rest);
  const usesRequire = usesDir || /\brequire\b/.test(rest);
  if (!usesDir) lines[3] = '';
  if (!usesRequire) lines[2] = '';
  writeFileSync(file, lines.join('\n'));
}
const packagesOutside = { external: ['apache-arrow', 'parquet-wasm', 'bullmq', 'ioredis'] };
/** A source file's place under dist/ (tsc's output path): the mirror rule. */
const mirrored = (file) => root(`dist/${file.replace(/\.ts$/, '.js')}`);
const inPlace = (entry, options) => ({ entries: [entry], out: { outfile: mirrored(entry) }, options });
const bundles = [
  { entries: ['src/cli/prestart.ts', 'src/cli/cli.ts'], out: { outdir: root('dist/cli'), splitting: true }, options: { ...piscinaInside, ...packagesOutside } },
  inPlace('src/zod.ts', {}),
  inPlace('src/pool/piscina.ts', piscinaInside),
  inPlace('workers/score.ts', packagesOutside),
];

rmSync(root('dist/cli'), { recursive: true, force: true }); // its chunk names change from build to build
for (const { entries, out, options } of bundles) {
  const result = buildSync({ ...common, ...options, ...out, entryPoints: entries.map(root) });
  const code = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  if (options.banner === piscinaInside.banner) for (const [file] of code) dropUnusedShim(resolve(file));
  const bytes = code.reduce((n, [, o]) => n + o.bytes, 0);
  console.log(`${entries.join(' + ')}: bundled, ${(bytes / 1024).toFixed(0)} kB`);
}
for (const wasm of ['src/kernel/wasm/focal.wasm', 'src/input/parquet/wasm/pages.wasm']) {
  mkdirSync(dirname(root(`dist/${wasm}`)), { recursive: true });
  copyFileSync(root(wasm), root(`dist/${wasm}`));
}

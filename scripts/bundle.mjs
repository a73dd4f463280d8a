/**
 * Bundles what starts on every run, so that start-up loads a few files instead of many (each
 * module costs its own resolve, read, compile and link). With esbuild, after tsc:
 *
 *   dist/cli/              the CLI's main thread, as bin/focal-eval.js loads it: prestart.js
 *                          (the pool) and cli.js (the rest), sharing chunks, so that both see one
 *                          dispatch module and the pool prestart warms is the one cli.js takes;
 *                          zod/mini and piscina inside, tree-shaken. Measured against the tsc
 *                          modules: the CLI on a one-batch file 0.17 -> 0.15 s (median of 10).
 *   dist/src/zod.js        for the library (dist/src/index.js): the zod/mini builders
 *   dist/src/piscina.js    src/zod.ts lists, tree-shaken (~60 kB), and piscina's main-thread code
 *   dist/workers/score.js  the worker with the kernels and readers it imports (~50 kB; each
 *                          worker starts ~6 ms sooner), and focal.wasm beside it, where the
 *                          bundled kernel looks for it
 *
 * apache-arrow and parquet-wasm stay packages everywhere, loaded only by the inputs that need
 * them. piscina's worker entry stays its own file in node_modules.
 *
 *   node scripts/bundle.mjs   (run by `npm run build`, after tsc)
 */
import { copyFileSync, rmSync } from 'node:fs';
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
const packagesOutside = { external: ['apache-arrow', 'parquet-wasm'] };
const bundles = [
  { entries: ['src/prestart.ts', 'src/cli.ts'], out: { outdir: root('dist/cli'), splitting: true }, options: { ...piscinaInside, ...packagesOutside } },
  { entries: ['src/zod.ts'], out: { outfile: root('dist/src/zod.js') }, options: {} },
  { entries: ['src/piscina.ts'], out: { outfile: root('dist/src/piscina.js') }, options: piscinaInside },
  { entries: ['workers/score.ts'], out: { outfile: root('dist/workers/score.js') }, options: packagesOutside },
];

rmSync(root('dist/cli'), { recursive: true, force: true }); // its chunk names change from build to build
for (const { entries, out, options } of bundles) {
  const result = buildSync({ ...common, ...options, ...out, entryPoints: entries.map(root) });
  const code = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const bytes = code.reduce((n, [, o]) => n + o.bytes, 0);
  console.log(`${entries.join(' + ')}: bundled, ${(bytes / 1024).toFixed(0)} kB`);
}
copyFileSync(root('src/kernel/wasm/focal.wasm'), root('dist/workers/focal.wasm'));

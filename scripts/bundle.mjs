/**
 * Replaces three of tsc's modules in dist with esbuild bundles, so that start-up loads one file
 * for each instead of many (each module costs its own resolve, read, compile and link):
 *
 *   dist/src/zod.js        the zod/mini builders src/zod.ts lists, tree-shaken (~60 kB)
 *   dist/src/piscina.js    piscina's main-thread code; its worker entry stays in node_modules
 *   dist/workers/score.js  the worker with the kernels and readers it imports (~50 kB; each
 *                          worker starts ~6 ms sooner), and focal.wasm beside it, where the
 *                          bundled kernel looks for it; apache-arrow and parquet-wasm stay
 *                          packages, loaded only by the rare tasks that need them
 *
 *   node scripts/bundle.mjs   (run by `npm run build`, after tsc)
 */
import { copyFileSync } from 'node:fs';
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

const bundles = [
  { entry: 'src/zod.ts', out: 'dist/src/zod.js', options: {} },
  { entry: 'src/piscina.ts', out: 'dist/src/piscina.js', options: { banner: { js: commonJsShim }, define: { __dirname: '__piscinaDir' } } },
  { entry: 'workers/score.ts', out: 'dist/workers/score.js', options: { external: ['apache-arrow', 'parquet-wasm'] } },
];

for (const { entry, out, options } of bundles) {
  const result = buildSync({ ...common, ...options, entryPoints: [root(entry)], outfile: root(out) });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`${out}: bundled, ${(bytes / 1024).toFixed(0)} kB`);
}
copyFileSync(root('src/kernel/wasm/focal.wasm'), root('dist/workers/focal.wasm'));

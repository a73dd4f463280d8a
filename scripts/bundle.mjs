/**
 * Replaces two of tsc's re-export modules in dist/src with esbuild bundles, so that the CLI's
 * start-up loads one file for each instead of a package's many (see the header of each source):
 *
 *   dist/src/zod.js       the zod/mini builders src/zod.ts lists, tree-shaken (~60 kB)
 *   dist/src/piscina.js   piscina's main-thread code; its worker entry stays in node_modules
 *
 *   node scripts/bundle.mjs   (run by `npm run build`, after tsc)
 */
import { buildSync } from 'esbuild';

const src = (file) => new URL(`../src/${file}`, import.meta.url).pathname;
const dist = (file) => new URL(`../dist/src/${file}`, import.meta.url).pathname;
const common = { bundle: true, format: 'esm', platform: 'node', target: 'node20', legalComments: 'eof', metafile: true, logLevel: 'warning' };

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
  { entry: 'zod.ts', out: 'zod.js', options: {} },
  { entry: 'piscina.ts', out: 'piscina.js', options: { banner: { js: commonJsShim }, define: { __dirname: '__piscinaDir' } } },
];

for (const { entry, out, options } of bundles) {
  const result = buildSync({ ...common, ...options, entryPoints: [src(entry)], outfile: dist(out) });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`dist/src/${out}: bundled, ${(bytes / 1024).toFixed(0)} kB`);
}

/**
 * Replaces tsc's dist/src/zod.js (a re-export of zod/mini) with a bundle of just the builders it
 * lists, so that the CLI loads one ~50 kB module instead of zod's ~100 (see src/zod.ts).
 *
 *   node scripts/bundle-zod.mjs   (run by `npm run build`, after tsc)
 */
import { buildSync } from 'esbuild';

const result = buildSync({
  entryPoints: [new URL('../src/zod.ts', import.meta.url).pathname],
  outfile: new URL('../dist/src/zod.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  treeShaking: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dist/src/zod.js: zod/mini bundled, ${(bytes / 1024).toFixed(0)} kB`);

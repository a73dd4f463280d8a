/**
 * The worker pool class, piscina's, imported through here so that the build can bundle it.
 *
 * Why: the pool is the first thing the CLI starts (the workers boot while the rest loads), so
 * everything loaded before it delays every run. `import 'piscina'` from ES modules loads its ~20
 * CommonJS files and lexes each for its exports (~0.02 s); the build (scripts/bundle.mjs)
 * replaces tsc's dist/src/pool/piscina.js with one esbuild bundle of piscina's main-thread code
 * (~0.007 s). piscina's worker entry is still its own file in node_modules. From source
 * (tsx, vitest) this is a plain re-export.
 */
export { Piscina } from 'piscina';

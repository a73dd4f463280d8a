/**
 * Every file the running code finds by path, written once: the worker entry, the kernel's
 * WebAssembly module and package.json. Each is found from this module's own URL, and this module
 * always sits one folder below a root: src/ in the package (run from source by tsx or vitest),
 * and dist/src/ (tsc's output: the library), dist/cli/ or dist/workers/ (the bundles of
 * scripts/bundle.mjs, which inline it) in the built package, whose dist/ mirrors the source tree
 * one level down. test/bundles.test.ts checks that each of these exists in the built layout.
 */

/** true when running the .ts sources (tsx, vitest), false in the built package. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The package's root folder, where package.json is. */
const ROOT = new URL(FROM_SOURCE ? '../' : '../../', import.meta.url);

/** package.json, for the version. */
export const PACKAGE_JSON_URL = new URL('package.json', ROOT);

/** The pool's worker entry: its source, or its bundle (one file, scripts/bundle.mjs). */
export const WORKER_URL = new URL(FROM_SOURCE ? 'workers/score.ts' : 'dist/workers/score.js', ROOT);

/** The compiled kernels: committed beside their sources, and copied to the same place under dist/ by the build. */
export const WASM_URL = new URL(FROM_SOURCE ? 'src/kernel/wasm/focal.wasm' : 'dist/src/kernel/wasm/focal.wasm', ROOT);

/** The lean Parquet reader's page decoding (src/input/parquet/pageDecoder.ts), placed as focal.wasm is. */
export const PAGES_WASM_URL = new URL(FROM_SOURCE ? 'src/input/parquet/wasm/pages.wasm' : 'dist/src/input/parquet/wasm/pages.wasm', ROOT);

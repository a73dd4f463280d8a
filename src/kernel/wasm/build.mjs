// Builds the project's WebAssembly modules from their AssemblyScript sources (*.as):
//   src/kernel/wasm/focal.wasm            the kernels (index.as and its imports, beside this file)
//   src/input/parquet/wasm/pages.wasm     the lean Parquet reader's page decoding
//
//   node src/kernel/wasm/build.mjs             compile and write each module beside its sources
//   node src/kernel/wasm/build.mjs --check     compile and fail if a committed module differs (stale)
//
// The sources use the .as extension so that tsc and eslint (which would read a .ts file as
// TypeScript) leave them alone; asc only reads .ts, so they are handed to it in memory under
// .ts names. The output is deterministic: same sources and asc version, same bytes.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const modules = [
  { dir: here, out: 'focal.wasm' },
  { dir: fileURLToPath(new URL('../../input/parquet/wasm/', import.meta.url)), out: 'pages.wasm' },
];
const check = process.argv.slice(2).includes('--check');
const { default: asc } = await import('assemblyscript/asc');

let stale = false;
for (const { dir, out } of modules) {
  const wasm = await compile(dir, out);
  const target = join(dir, out);
  if (check) {
    let current = null;
    try {
      current = readFileSync(target);
    } catch {
      current = null;
    }
    if (current === null || Buffer.compare(current, Buffer.from(wasm)) !== 0) {
      console.error(`build.mjs: ${out} is stale: run \`node src/kernel/wasm/build.mjs\` and commit it`);
      stale = true;
    } else {
      console.log(`${out} is up to date (${wasm.length} bytes)`);
    }
  } else {
    writeFileSync(target, wasm);
    console.log(`wrote ${target} (${wasm.length} bytes)`);
  }
}
if (stale) process.exit(1);

/** Compiles index.as in `dir` (and the .as files it imports) to the bytes of `out`. */
async function compile(dir, out) {
  const sources = new Map();
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.as')) sources.set(name.slice(0, -3) + '.ts', readFileSync(join(dir, name), 'utf8'));
  }
  let wasm = null;
  const result = await asc.main(
    ['index.ts', '--outFile', out, '--runtime', 'stub', '--enable', 'simd', '-O3', '--converge', '--noAssert', '--initialMemory', '1', '--use', 'abort='],
    {
      readFile: (name) => sources.get(name) ?? null,
      writeFile: (name, contents) => {
        if (name === out) wasm = contents;
      },
      listFiles: () => [],
      stdout: process.stdout,
      stderr: process.stderr,
    },
  );
  if (result.error || wasm === null) {
    console.error(`build.mjs: asc failed on ${out}: ${result.error ?? 'no output'}`);
    process.exit(1);
  }
  return wasm;
}

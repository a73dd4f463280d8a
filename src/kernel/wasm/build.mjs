// Builds focal.wasm from the AssemblyScript sources (*.as) beside this file.
//
//   node src/kernel/wasm/build.mjs             compile and write focal.wasm here
//   node src/kernel/wasm/build.mjs --check     compile and fail if focal.wasm differs (stale)
//
// The sources use the .as extension so that tsc and eslint (which would read a .ts file as
// TypeScript) leave them alone; asc only reads .ts, so they are handed to it in memory under
// .ts names. The output is deterministic: same sources and asc version, same bytes.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const target = join(here, 'focal.wasm');
const args = process.argv.slice(2);
const check = args.includes('--check');
const { default: asc } = await import('assemblyscript/asc');

const sources = new Map();
for (const name of readdirSync(here)) {
  if (name.endsWith('.as')) sources.set(name.slice(0, -3) + '.ts', readFileSync(join(here, name), 'utf8'));
}

let wasm = null;
const result = await asc.main(
  [
    'index.ts',
    '--outFile',
    'focal.wasm',
    '--runtime',
    'stub',
    '--enable',
    'simd',
    '-O3',
    '--converge',
    '--noAssert',
    '--initialMemory',
    '1',
    '--use',
    'abort=',
  ],
  {
    readFile: (name) => sources.get(name) ?? null,
    writeFile: (name, contents) => {
      if (name === 'focal.wasm') wasm = contents;
    },
    listFiles: () => [],
    stdout: process.stdout,
    stderr: process.stderr,
  },
);
if (result.error || wasm === null) {
  console.error(`build.mjs: asc failed: ${result.error ?? 'no output'}`);
  process.exit(1);
}

if (check) {
  let current = null;
  try {
    current = readFileSync(target);
  } catch {
    current = null;
  }
  if (current === null || Buffer.compare(current, Buffer.from(wasm)) !== 0) {
    console.error('build.mjs: focal.wasm is stale: run `node src/kernel/wasm/build.mjs` and commit it');
    process.exit(1);
  }
  console.log(`focal.wasm is up to date (${wasm.length} bytes)`);
} else {
  writeFileSync(target, wasm);
  console.log(`wrote ${target} (${wasm.length} bytes)`);
}

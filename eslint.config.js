// Lint config: typescript-eslint's recommended rules over the sources; `npm run lint` allows zero warnings.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    'setImmediate', 'TextDecoder', 'TextEncoder', 'AbortSignal', 'AbortController', 'WebAssembly',
    'performance', 'structuredClone', 'queueMicrotask',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/data/', 'examples/data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // TypeScript itself checks undefined names in .ts files.
  { files: ['**/*.ts'], rules: { 'no-undef': 'off' } },
);

/**
 * The zod this project uses: the few builders of `zod/mini` its schemas need (options, report,
 * saved alphas), with zod's English messages. Every module imports zod through here.
 *
 * Why: `import 'zod'` loads ~100 modules (~0.06 s, compiled and linked one by one) and builds
 * its classic schemas' method tables (another ~0.03 s), all on the CLI's critical path before the
 * first batch can go out. zod/mini's functional builders tree-shake: the build bundles this
 * file alone (esbuild, scripts/bundle.mjs) into dist/src/zod.js, keeping only what is
 * listed here (~60 kB, loaded in ~0.01 s). From source (tsx, vitest) it is a plain re-export.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export {
  _default,
  array,
  boolean,
  enum,
  extend,
  gt,
  gte,
  int,
  literal,
  looseObject,
  lt,
  lte,
  minLength,
  null,
  nullable,
  number,
  optional,
  pipe,
  refine,
  strictObject,
  string,
  union,
  globalRegistry,
} from 'zod/mini';
export type { infer, input, output, ZodMiniArray, ZodMiniOptional } from 'zod/mini';

/**
 * The CLI's first step, before it loads the rest of itself (zod, the readers, the renderers:
 * ~0.1 s): start the worker pool, so that the workers boot in parallel with that loading.
 * Only the thread count is read here, by a plain scan of argv; the full parse comes later and
 * judges everything, this included (a bad --threads just means no pool is started early).
 */
import { defaultThreads, warmPool } from '../pool/pool.ts';

/** Starts the pool a `score` or `alphas` run will use; anything else starts nothing. */
export function prestart(argv: readonly string[]): void {
  const command = argv.find((a) => !a.startsWith('-'));
  if (command !== 'score' && command !== 'alphas') return;
  let threads: number | undefined = defaultThreads();
  argv.forEach((arg, i) => {
    if (arg === '--threads' || arg === '-t') threads = Number(argv[i + 1]);
    else if (arg.startsWith('--threads=')) threads = Number(arg.slice('--threads='.length));
  });
  if (Number.isInteger(threads) && threads! >= 1 && threads! <= 256) warmPool(threads!);
}

// Fallback usage probe for the bench, used only where /usr/bin/time is missing: preloaded into
// the CLI's node process with --import, it writes "peakRssKiB userSeconds systemSeconds" (worker
// threads included, as they share the process) to $FOCAL_BENCH_RSS_FILE at exit, as GNU time
// would. Plain JS, so that the timed process needs no TypeScript loader; a no-op in the worker
// threads, which inherit --import.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const out = process.env.FOCAL_BENCH_RSS_FILE;
if (isMainThread && out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
  });
}

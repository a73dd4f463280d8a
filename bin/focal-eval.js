#!/usr/bin/env node
// The published entry: runs the bundled CLI (built by `npm run build`, which `npm ci` runs via
// `prepare`; see scripts/bundle.mjs). The worker pool is started first, so that it boots while
// the rest loads.
import { prestart } from '../dist/cli/prestart.js';

prestart(process.argv.slice(2));
const { main } = await import('../dist/cli/cli.js');
const status = await main(process.argv.slice(2));
// Stopped by a signal (128 + its number): exit now, whatever is still pending (a read of stdin
// that would never end, say); the run has already cleaned up after itself.
if (status >= 128) process.exit(status);
process.exitCode = status;

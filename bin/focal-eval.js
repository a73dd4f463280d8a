#!/usr/bin/env node
// The published entry: runs the compiled CLI (built by `npm run build`, which `npm ci` runs via
// `prepare`). The worker pool is started first, so that it boots while the rest loads.
import { prestart } from '../dist/src/prestart.js';

prestart(process.argv.slice(2));
const { main } = await import('../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));

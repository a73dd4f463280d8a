/**
 * The library in a dozen lines: score the demo dump with `evaluate` and read a few fields of the
 * report. In a project that depends on focal-eval the import is `from 'focal-eval'`; here it is
 * the source, so the example runs without a build. Run: node --import tsx examples/library.ts
 */
import { evaluate } from '../src/index.ts';
import { DEMO_CLASS_NAMES, ensureDemoDump } from './demoDump.ts';

async function main(): Promise<void> {
  const report = await evaluate(await ensureDemoDump(), { alpha: 'auto', classNames: DEMO_CLASS_NAMES });
  const share = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  console.log(`${report.scored} units scored, ${report.ignored} rows ignored; mean focal loss ${report.total.meanLoss}`);
  console.log(`easy units carry ${share(report.total.easyShareCE)} of CE but ${share(report.total.easyShareFL)} of FL`);
  for (const c of report.classes) {
    console.log(`  ${c.name.padEnd(10)} n=${String(c.count).padStart(7)}  alpha=${c.alpha?.toFixed(4)}  meanCE=${c.meanCE?.toFixed(3)}`);
  }
}

main().catch((error: unknown) => {
  console.error(`library example: ${(error as Error).message}`);
  process.exitCode = 1;
});

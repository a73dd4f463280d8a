/**
 * `npm run demo`: the shortest way to see what focal-eval reports. Makes a small imbalanced
 * dump if it is not there yet, scores it through the library with alpha estimated from the
 * class frequencies, prints the same table the CLI prints, and the CLI command that gives it.
 */
import { relative } from 'node:path';
import { evaluate } from '../src/index.ts';
import { renderReportTable } from '../src/cli/table.ts';
import { DEMO_CLASS_NAMES, ensureDemoDump } from './demoDump.ts';

async function main(): Promise<void> {
  const path = await ensureDemoDump();
  const report = await evaluate(path, { alpha: 'auto', gamma: 2, classNames: DEMO_CLASS_NAMES });
  process.stdout.write(renderReportTable(report));
  const file = relative(process.cwd(), path);
  process.stdout.write(
    `\nsame with the CLI: npx focal-eval score ${file} --alpha auto --gamma 2 ` +
      `--class-names ${DEMO_CLASS_NAMES.join(',')} --format table\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

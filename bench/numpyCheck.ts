/**
 * `node --import tsx bench/numpyCheck.ts [--quick] [--only W1,W3]`: checks, untimed, that the
 * numpy baseline computes what focal-eval reports. For each workload it runs the CLI once
 * (`--alpha auto --gamma 2 --threads 1`) and bench/numpy_baseline.py once, and prints every
 * compared total (bench/numpyRunner.ts compareNumpy: unit counts exactly, sums within 1e-4
 * relative); exits 1 if any is off. The bench itself prints a shorter agreement line per workload.
 */
import { parseBenchArgs } from './args.ts';
import { assertCliBuilt, runCli } from './cliRunner.ts';
import { compareNumpy, numpyUnavailable, runNumpy } from './numpyRunner.ts';
import { workloads } from './workloads.ts';

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  await assertCliBuilt();
  const skip = numpyUnavailable();
  if (skip !== null) throw new Error(`numpy baseline unavailable: ${skip}`);
  let failed = 0;
  for (const w of workloads(args.quick).filter((x) => args.only === null || args.only.includes(x.id))) {
    const [cli, numpy] = [await runCli(w.path, 1), await runNumpy(w.path)];
    process.stdout.write(`${w.id} ${w.title} (numpy script ${numpy.result.seconds.toFixed(3)} s inside python3):\n`);
    for (const c of compareNumpy(numpy.result, cli.report)) {
      if (!c.ok) failed++;
      process.stdout.write(
        `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(32)} numpy ${String(c.numpy).padEnd(22)} focal-eval ${String(c.report).padEnd(22)} rel ${c.relative.toExponential(1)}\n`,
      );
    }
  }
  if (failed > 0) throw new Error(`${failed} numpy totals disagree with focal-eval beyond tolerance`);
}

main().catch((error: unknown) => {
  process.stderr.write(`numpyCheck: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

/**
 * Faults injected into the worker for the tests of what the pool does when a worker fails:
 * FOCAL_EVAL_TEST_FAULT=KIND:BATCH acts on the task that reads that batch number (a run of batches
 * too: batchRuns.ts), KIND being
 *   throw  the task throws past the worker's own error handling (as a bug in it would),
 *   exit   the worker calls process.exit(3),
 *   oom    the worker fills its heap until Node stops it (with FOCAL_EVAL_WORKER_HEAP_MB set),
 *   hang   the worker spins forever in a busy loop (the watchdog's case),
 *   pause  the worker says so on stderr ("focal-eval test: batch N paused") and waits forever
 *          without blocking its thread (a run caught in the middle, for the signal tests).
 * Nothing happens unless the variable is set; it is read once, when the worker starts.
 */
import { writeSync } from 'node:fs';

const KINDS = ['throw', 'exit', 'oom', 'hang', 'pause'] as const;
type Kind = (typeof KINDS)[number];

function parse(raw: string | undefined): { kind: Kind; batch: number } | null {
  if (raw === undefined || raw === '') return null;
  const [kind, batch] = raw.split(':');
  if (!KINDS.includes(kind as Kind) || !/^\d+$/.test(batch ?? '')) throw new Error(`FOCAL_EVAL_TEST_FAULT must be KIND:BATCH (${KINDS.join('|')}), not "${raw}"`);
  return { kind: kind as Kind, batch: Number(batch) };
}

const fault = parse(process.env.FOCAL_EVAL_TEST_FAULT);

/** Whether a fault is configured at all (so that a normal run does not even await). */
export const faultArmed = fault !== null;

/** Acts out the configured fault if this task reads its batch (batches [first, first + count)); returns at once otherwise. */
export async function injectFault(first: number, count: number): Promise<void> {
  if (fault === null || fault.batch < first || fault.batch >= first + count) return;
  const index = fault.batch;
  switch (fault.kind) {
    case 'throw':
      throw new Error(`injected fault (FOCAL_EVAL_TEST_FAULT=throw:${index})`);
    case 'exit':
      process.exit(3);
      break;
    case 'oom': {
      const hoard: unknown[] = [];
      for (;;) hoard.push({ at: hoard.length, pad: new Array(64).fill(hoard.length) });
    }
    case 'hang':
      for (;;);
    case 'pause':
      writeSync(2, `focal-eval test: batch ${index} paused\n`);
      await new Promise(() => {});
  }
}

/**
 * SIGINT and SIGTERM on the CLI: the first stops the run as an abort does (reading stops, the
 * tasks on the pool are cancelled and the pool shut down), removes every output still under its
 * temporary name (write.ts), and the CLI exits 128 + the signal's number (130, 143) after one
 * line on stderr. A second signal while that runs exits at once, with the same status.
 */
import { constants } from 'node:os';
import { AbortError } from '../errors.ts';
import { cancelWrites } from './write.ts';

/** The run's AbortSignal, and which signal (if any) aborted it. */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal received, or null. */
  received(): NodeJS.Signals | null;
  /** Takes the handlers off (the run is over). */
  dispose(): void;
}

/** 128 + the signal's number: the status a shell gives a process the signal ended. */
export function signalStatus(name: NodeJS.Signals): number {
  return 128 + (constants.signals[name] ?? 0);
}

/** Installs the handlers for one run of the CLI. */
export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handler = (name: NodeJS.Signals): void => {
    if (received !== null) process.exit(signalStatus(received));
    received = name;
    cancelWrites();
    controller.abort(new AbortError(`stopped by ${name}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

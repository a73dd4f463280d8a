/**
 * The CLI's signal handlers (onInterrupt): the first SIGINT / SIGTERM aborts the run's signal and
 * cancels the writes; a second exits at once with 128 + the first signal's number; dispose takes
 * the handlers off. Signals are emitted on `process` here, and process.exit is stubbed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onInterrupt, signalStatus } from '../src/cli/interrupt.ts';
import { writeAtomically } from '../src/cli/write.ts';
import { tempDir } from './support/tempDir.ts';

const tmp = tempDir();
afterEach(() => {
  vi.restoreAllMocks();
  tmp.cleanup();
});

describe('onInterrupt', () => {
  it('signalStatus is 128 + the number: SIGINT 130, SIGTERM 143', () => {
    expect([signalStatus('SIGINT'), signalStatus('SIGTERM')]).toEqual([130, 143]);
  });

  it('the first signal aborts and cancels the writes; a second exits at once with the first one\'s status', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const listeners = (): number => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    const before = listeners();
    const interrupt = onInterrupt();
    expect(listeners()).toBe(before + 2);
    try {
      expect([interrupt.signal.aborted, interrupt.received()]).toEqual([false, null]);
      process.emit('SIGINT', 'SIGINT'); // as Node emits a real one: with its name
      expect([interrupt.signal.aborted, interrupt.received()]).toEqual([true, 'SIGINT']);
      expect(interrupt.signal.reason).toMatchObject({ name: 'AbortError', message: 'stopped by SIGINT' });
      await expect(writeAtomically(tmp.path('x.json'), async () => {})).rejects.toMatchObject({ name: 'AbortError' });
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGTERM', 'SIGTERM');
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      interrupt.dispose();
    }
    expect(listeners()).toBe(before);
  });
});

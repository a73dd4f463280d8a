/**
 * Waiting that an AbortSignal can cut short: a promise raced against the signal, and an async
 * iteration that stops at the signal even while it waits for its source (stdin that sends
 * nothing, a slow iterable). What was being waited for is left to settle on its own; the
 * source's return() is called so that a file or stream it holds is let go.
 */
import { abortErrorOf } from './errors.ts';

/** `promise`, or the signal's AbortError as soon as it aborts (at once if it already has). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortErrorOf(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortErrorOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The items of `source`, until the signal aborts: then the wait in hand rejects with its AbortError. */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T, void, undefined> {
  if (signal === undefined) return yield* source;
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const next = await raceAbort(iterator.next(), signal);
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Not awaited when aborted: a generator that is waiting for its source cannot return before it gets it.
    if (!done) {
      const closing = iterator.return?.();
      if (signal.aborted) closing?.catch(() => {});
      else await closing;
    }
  }
}

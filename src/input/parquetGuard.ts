/**
 * Calls into parquet-wasm, made safe to wait on. A Rust panic inside one of its futures surfaces
 * as an uncaught `RuntimeError: unreachable` outside the call's own promise, which would then
 * never settle. So while any call is under way, this module, and only this one, listens for
 * 'uncaughtException': a WebAssembly trap fails every pending call (the module's state is unknown
 * after it); any other error is not ours, and crashes the process as it would have, unless the
 * program listens too. The listener is removed when no call is pending.
 */
import { FocalEvalError } from '../errors.ts';

/** The parquet-wasm calls under way on this thread, each waiting to hear of a panic. */
const pending = new Set<(error: Error) => void>();

/**
 * The one 'uncaughtException' listener, present while calls are pending: a WebAssembly trap
 * (RuntimeError) fails them all (the module's state is unknown after it); any other error is
 * not ours, and crashes the process as it would have, unless the program listens too.
 */
function onUncaught(error: Error): void {
  if (error?.name === 'RuntimeError') for (const reject of pending) reject(error);
  else if (process.listenerCount('uncaughtException') === 1) throw error;
}

/**
 * Runs a parquet-wasm call, turning its failures (a panic included) into E_INPUT errors naming
 * `where`. A program's own 'uncaughtException' listener hears of a panic too.
 */
export async function guard<T>(where: string, call: () => Promise<T> | T): Promise<T> {
  let reject!: (error: Error) => void;
  const panicked = new Promise<never>((_, r) => (reject = r));
  if (pending.size === 0) process.on('uncaughtException', onUncaught);
  pending.add(reject);
  try {
    return await Promise.race([call(), panicked]);
  } catch (error) {
    if (error instanceof FocalEvalError) throw error;
    const message = error instanceof Error ? error.message || error.name : String(error);
    throw new FocalEvalError('E_INPUT', `${where}: not a readable Parquet file: ${message}`, { cause: error });
  } finally {
    pending.delete(reject);
    if (pending.size === 0) process.off('uncaughtException', onUncaught);
  }
}

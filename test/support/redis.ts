/**
 * The Redis the cluster tests use: FOCAL_EVAL_TEST_REDIS (`.ci/run` starts redis-server and sets
 * it), else redis://127.0.0.1:6390. Reached or not is decided once, by a TCP connect: without a
 * server the tests skip with a message, unless FOCAL_EVAL_TEST_REDIS was set, when they fail.
 */
import { connect } from 'node:net';

/** The server's URL. */
export const REDIS_URL = process.env.FOCAL_EVAL_TEST_REDIS || 'redis://127.0.0.1:6390';
/** Whether the URL was asked for (then an unreachable server fails the tests instead of skipping them). */
export const REDIS_REQUIRED = Boolean(process.env.FOCAL_EVAL_TEST_REDIS);

/** Whether a TCP connection to the server opens within a second. */
export function redisReachable(url = REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// A private redis-server for tests: free loopback port, temporary directory, password. Fails with a
// clear message when redis-server is not installed (`.ci/run` installs the Debian package).
//   const redis = await startRedis();   ... redis.url ...   await redis.dispose();
// `restart({ wipe: true })` simulates a queue server that comes back without its data.
import { type LocalRedis, type LocalRedisOptions, startLocalRedis } from '../../prover/engine/queue/localServer.js';

export type TestRedis = LocalRedis;

export async function startRedis(opts: LocalRedisOptions = {}): Promise<TestRedis> {
  return startLocalRedis(opts);
}

import { open, readFile, rename, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export { isAlive };

/**
 * Runs `fn` while holding an exclusive lock file (O_EXCL, holding this process's pid). A lock whose
 * process is gone is broken. The lock only avoids duplicate work (two processes generating the same
 * SRS at once); correctness never depends on it, since results are published by atomic renames.
 */
export async function withLockFile<T>(
  lockFile: string,
  fn: () => Promise<T>,
  opts: { signal?: AbortSignal | undefined; pollMs?: number; onWait?: (pid: number) => void } = {},
): Promise<T> {
  let announced = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const fh = await open(lockFile, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      // Stale (holder died, e.g. kill -9): move it aside under a private name, then drop it.
      const aside = `${lockFile}.stale-${process.pid}`;
      await rename(lockFile, aside).then(
        () => rm(aside, { force: true }),
        () => undefined,
      );
      continue;
    }
    if (!announced) opts.onWait?.(holder);
    announced = true;
    await sleep(opts.pollMs ?? 500, undefined, { signal: opts.signal });
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

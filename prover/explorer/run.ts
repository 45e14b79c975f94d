/**
 * Running the explorer as a process (`nex explorer`): JSON-line logs on stdout, the explorer until the
 * stop signal (default: SIGINT or SIGTERM). Returns the exit code: 0 stopped, 1 failed to start.
 */
import type { ExplorerConfig } from './config.js';
import { createExplorerLogger } from './log.js';
import { startExplorer, type RunningExplorer } from './start.js';

export interface RunExplorerOptions {
  readonly config: ExplorerConfig;
  /** Resolves when the explorer should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<void>;
  readonly onStarted?: (explorer: RunningExplorer) => void;
}

export async function runExplorer(o: RunExplorerOptions): Promise<number> {
  const log = createExplorerLogger({ level: o.config.log.level });
  let explorer: RunningExplorer;
  try {
    explorer = await startExplorer(o.config, { log });
  } catch (err) {
    log.error({ error: (err as Error).message.split('\n')[0] }, 'explorer failed to start');
    return 1;
  }
  o.onStarted?.(explorer);
  await (o.stopSignal ?? signalled());
  await explorer.close();
  return 0;
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

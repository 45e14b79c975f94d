/**
 * The demo's explorer (issue 14, docs/explorer.md): the same page `nex devnet` serves, over the demo's devnet,
 * on loopback. Started right after the deployment so that the batch can be watched while it is proven; stopped
 * with everything else the demo started. Loaded on demand (its server and page bundler are not needed with
 * --no-explorer).
 */
import type { Cleanup } from './cleanup.js';
import type { DemoChain } from './chain.js';

export interface DemoExplorer {
  readonly url: string;
}

/** Starts the explorer on 127.0.0.1:`port` (0 = any free port) and registers its stop with `cleanup`. */
export async function startDemoExplorer(chain: DemoChain, port: number, cleanup: Cleanup): Promise<DemoExplorer> {
  const { loadExplorerConfig, startExplorer } = await import('../explorer/index.js');
  const config = loadExplorerConfig({
    env: {},
    flags: {
      deployments: chain.devnet.deploymentsFile,
      rpcUrl: chain.devnet.rpcUrl,
      'listen.host': '127.0.0.1',
      'listen.port': String(port),
      pollIntervalMs: '1000',
      'log.level': 'error',
    },
  });
  const explorer = await startExplorer(config);
  cleanup.add('explorer', () => explorer.close());
  return { url: explorer.url };
}

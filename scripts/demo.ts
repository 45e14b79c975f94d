/**
 * `npm run demo`: the whole NEX flow on a local devnet in one command (see prover/demo/run.ts).
 * Both channels, one batch each: exits 0 when the calldata batch is verified on L1 with its invalid proof
 * refunded, and the off-chain batch the relay posted is verified with the tampered proof refused by the
 * relay; non-zero with a message otherwise. Every process it starts (Hardhat node, relay, keepers, their
 * provers and bb) is stopped on exit, on errors and on Ctrl-C.
 *
 *   npm run demo [-- --chain hardhat|anvil] [--port 8545] [--rpc-url URL] [--work-dir DIR] [--summary-json FILE]
 *                    [--explorer-port 8548 | --no-explorer]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../prover/sdk/index.js';
import { Cleanup } from '../prover/demo/cleanup.js';
import { createProgress, formatMs } from '../prover/demo/progress.js';
import { runDemo } from '../prover/demo/run.js';
import { formatSummary } from '../prover/demo/summary.js';

const USAGE = `Usage: npm run demo [-- options]
  --chain NODE         the node the demo starts: hardhat (default) or anvil
  --port N             port of the node the demo starts on 127.0.0.1 (default 8545)
  --rpc-url URL        use a running local devnet (chain id 31337 or 1337) instead of starting one
  --work-dir DIR       keeper data, deployments and Ignition journal of this run (default .nex/demo/run-<time>)
  --explorer-port N    port of the explorer (the market's web page) on 127.0.0.1 (default 8548, 0 = any free port)
  --no-explorer        do not start the explorer
  --summary-json FILE  also write the outcome as JSON
  --timeout-min N      give up on the batch after N minutes (default 30)`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        chain: { type: 'string' },
        port: { type: 'string' },
        'rpc-url': { type: 'string' },
        'work-dir': { type: 'string' },
        'summary-json': { type: 'string' },
        'explorer-port': { type: 'string' },
        'no-explorer': { type: 'boolean' },
        'timeout-min': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`demo: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) {
    console.error(`demo: --port must be a TCP port, got ${values.port}`);
    return 2;
  }
  const explorerPort = values['explorer-port'] !== undefined ? Number(values['explorer-port']) : 8548;
  if (!Number.isInteger(explorerPort) || explorerPort < 0 || explorerPort > 65_535) {
    console.error(`demo: --explorer-port must be a TCP port (or 0), got ${values['explorer-port']}`);
    return 2;
  }
  if (values['no-explorer'] && values['explorer-port'] !== undefined) {
    console.error('demo: --explorer-port and --no-explorer exclude each other');
    return 2;
  }
  const chain = values.chain;
  if (chain !== undefined && chain !== 'hardhat' && chain !== 'anvil') {
    console.error(`demo: --chain must be hardhat or anvil, got ${chain}`);
    return 2;
  }
  const timeoutMin = values['timeout-min'] !== undefined ? Number(values['timeout-min']) : 30;
  if (!(timeoutMin > 0)) {
    console.error(`demo: --timeout-min must be a positive number, got ${values['timeout-min']}`);
    return 2;
  }
  const root = projectRoot();
  const workDir = path.resolve(
    values['work-dir'] ?? path.join(root, '.nex', 'demo', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`),
  );
  const progress = createProgress();
  const cleanup = new Cleanup();
  const report = (msg: string): void => {
    progress.close();
    console.error(msg);
  };
  const offSignals = cleanup.onSignals(report);
  console.log('NEX demo: devnet, two rollups, two competing keepers and a relay; one batch on each channel (calldata, off-chain).');
  console.log('The dev SRS is INSECURE and for local devnets only.');
  console.log(`Run directory: ${workDir}\n`);
  const started = Date.now();
  try {
    const result = await runDemo(
      {
        root,
        workDir,
        chain,
        port,
        rpcUrl: values['rpc-url'],
        explorerPort: values['no-explorer'] ? false : explorerPort,
        baselineCacheFile: path.join(root, '.nex', 'demo', 'baseline-gas.json'),
        batchTimeoutMs: timeoutMin * 60_000,
      },
      progress,
      cleanup,
    );
    progress.close();
    const stop = progress.stage('Cleanup: stopping the keepers, the relay and the node');
    await cleanup.run(report);
    stop.done();
    console.log(formatSummary(result));
    if (values['summary-json']) writeFileSync(values['summary-json'], `${JSON.stringify(result, null, 2)}\n`);
    console.log(`Demo finished in ${formatMs(Date.now() - started)}. Logs: ${workDir}/keeper-*/keeper.log, ${workDir}/relay/relay.log`);
    return 0;
  } catch (err) {
    progress.close();
    if (cleanup.signal) {
      // Interrupted: the signal handler stops everything and exits; the error is only its consequence.
      await cleanup.run(report);
      return cleanup.signal === 'SIGINT' ? 130 : 143;
    }
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.NEX_DEBUG && err instanceof Error) console.error(err.stack);
    console.error(`Logs: ${workDir}/keeper-*/keeper.log, ${workDir}/relay/relay.log. Stopping the demo's processes…`);
    await cleanup.run(report);
    return 1;
  } finally {
    offSignals();
  }
}

process.exitCode = await main();
// Nothing of the demo may keep the process alive (sockets of viem/ethers clients are closed by exit).
process.exit();

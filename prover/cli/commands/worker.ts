// `nex worker`: a proving worker of the distributed engine (prover/engine/queue). The module is loaded
// only when the command runs; its options are defined once, in prover/engine/queue/cli.ts.
import type { Command } from '../command.js';

const worker: Command = {
  path: ['worker'],
  summary: 'prove jobs of a keeper\'s proving queue on this machine (distributed proving)',
  usage: `Usage: nex worker --queue <redis://[:password@]host:port> [options]

Takes leaf, pad and node jobs from the proving queue of a keeper (or \`nex aggregate --queue\`), checks
every input proof with bb, proves and returns the proofs. Refuses (exit 3) jobs made for other circuits.
Ctrl-C finishes the job in progress and stops; twice stops at once (the job is retried elsewhere).
\`nex worker --help\` lists every option (threads, concurrency, metrics port, lock duration, ...);
see docs/operator.md, "Distributed proving".`,
  async run(args) {
    const { workerMain } = await import('../../engine/queue/cli.js');
    return workerMain(args);
  },
};

export const workerCommands: Command[] = [worker];

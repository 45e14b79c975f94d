// `nex devnet` on the version-2 protocol against anvil as an external devnet: spawn, deploy, funded
// accounts, the example rollup registered and deployed, idempotent re-run, the rollup CLI on top, and
// clean shutdown; plus a Hardhat node and anvil (`--chain anvil`) started and stopped by startDevnet.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { bytesToHex, createPublicClient, createTestClient, createWalletClient, getAddress, http, pad, toHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { deployNex } from '../../deploy/deploy.js';
import { rpcProvider } from '../../deploy/provider.js';
import { testAccounts } from '../../deploy/devnet/accounts.js';
import { ensureVerifierBuild } from '../../deploy/devnet/build.js';
import { startDevnet, type Devnet } from '../../deploy/devnet/devnet.js';
import { probeChainId, spawnNode, type LocalNode } from '../../deploy/devnet/node.js';
import { loadParameters } from '../../deploy/parameters.js';
import type { VerifierBuild } from '../../deploy/verifierBuild.js';
import { startDevnetExplorer } from '../../prover/cli/commands/devnet.js';
import { main } from '../../prover/cli/main.js';
import { deployExampleRollup, EXAMPLE_CALLBACK_GAS, EXAMPLE_ROLLUP_CIRCUIT } from '../../deploy/exampleRollup.js';
import { aggregationMarketAbi, exampleRollupAbi, nexTokenAbi } from '../../prover/abi/generated.js';
import { programIdOf, VK_BYTES } from '../../prover/protocol/index.js';
import { readDeployments } from '../../prover/sdk/deployments.js';
import { chainFor } from '../../prover/sdk/index.js';

const word = (n: number): Hex => pad(toHex(n), { size: 32 });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the `nex` CLI in-process on `words` then `args`, capturing what it prints and its exit code. */
async function runCli(words: string[], args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const write = process.stderr.write;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main([...words, ...args], { out: (t) => void out.push(t), err: (t) => void err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
}

describe('devnet', function () {
  this.timeout(10 * 60_000);
  let build: VerifierBuild;
  const tmp: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'nex-devnet-'));
    tmp.push(d);
    return d;
  };
  before(async () => {
    build = await ensureVerifierBuild();
  });
  after(() => {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  });

  describe('against anvil (external devnet)', () => {
    let anvil: LocalNode;
    let devnet: Devnet;
    let dirs: { deploymentsDir: string; ignitionDir: string };
    const params = loadParameters('devnet');

    before(async () => {
      anvil = await spawnNode({ kind: 'anvil', port: await freePort() });
      dirs = { deploymentsDir: tempDir(), ignitionDir: tempDir() };
      devnet = await startDevnet({ rpcUrl: anvil.rpcUrl, verifierBuild: build, skipContractBuild: true, ...dirs });
    });
    after(async () => {
      await anvil?.stop();
    });

    it('deploys on the given RPC without starting a node, and funds the test accounts with ETH and NEX', async () => {
      assert.equal(devnet.spawned, false);
      assert.equal(devnet.rpcUrl, anvil.rpcUrl);
      assert.equal(devnet.chainId, 31337);
      assert.ok(devnet.transactionsSent > 0);
      const funding = params.devnet!;
      assert.equal(devnet.accounts.length, funding.fundAccounts);
      const client = createPublicClient({ transport: http(devnet.rpcUrl) });
      for (const a of devnet.accounts.slice(1)) {
        assert.ok((await client.getBalance({ address: a.address })) >= funding.ethPerAccount);
        const nex = await client.readContract({
          address: devnet.deployments.contracts.NexToken.address,
          abi: nexTokenAbi,
          functionName: 'balanceOf',
          args: [a.address],
        });
        assert.equal(nex, funding.nexPerAccount);
        assert.equal(a.nex, funding.nexPerAccount);
      }
      const deployerNex = await client.readContract({
        address: devnet.deployments.contracts.NexToken.address,
        abi: nexTokenAbi,
        functionName: 'balanceOf',
        args: [devnet.accounts[0]!.address],
      });
      assert.equal(deployerNex, params.token.supply - BigInt(funding.fundAccounts - 1) * funding.nexPerAccount);
      assert.equal(devnet.accounts[0]!.nex, deployerNex, 'reported after the transfers');
      assert.equal(devnet.accounts[0]!.address, testAccounts(1)[0]!.address);
    });

    it('records what the relay, keeper, SDK and explorer need, and registers the example rollup with its ExampleRollup as callback', async () => {
      const onDisk = readDeployments(31337, dirs.deploymentsDir);
      assert.deepEqual(onDisk, devnet.deployments);
      const c = onDisk.contracts;
      for (const name of [
        'AggregationMarket',
        'AggregationMarketExtension',
        'ProverStaking',
        'VerifierRouter',
        'NexToken',
        'ExampleRollup',
      ])
        assert.ok(c[name]?.address, name);
      assert.equal(onDisk.chainId, 31337);
      assert.ok(BigInt(onDisk.startBlock) >= 0n);
      assert.equal(onDisk.verifier.keySet, build.keySet);
      assert.equal(onDisk.verifier.rollupProofBytes, 14_656);
      const example = onDisk.exampleRollup!;
      const manifest = JSON.parse(readFileSync(path.join(build.buildDir, 'manifest.json'), 'utf8')) as {
        circuits: Record<string, { vkHash: Hex }>;
      };
      const owner = devnet.accounts[0]!.address;
      assert.equal(example.circuit, EXAMPLE_ROLLUP_CIRCUIT);
      assert.equal(example.vkHash, manifest.circuits[EXAMPLE_ROLLUP_CIRCUIT]!.vkHash);
      assert.equal(example.owner, owner);
      assert.equal(example.programId, programIdOf(owner, example.vkHash));
      assert.equal(example.address, c.ExampleRollup!.address);
      const client = createPublicClient({ transport: http(devnet.rpcUrl) });
      const program = await client.readContract({
        address: c.AggregationMarket.address,
        abi: aggregationMarketAbi,
        functionName: 'getProgram',
        args: [example.programId],
      });
      assert.equal(program.owner, owner);
      assert.equal(program.publicInputCount, 2);
      assert.equal(program.callback, example.address);
      assert.equal(program.callbackGas, EXAMPLE_CALLBACK_GAS);
      assert.equal(
        getAddress(await client.readContract({ address: example.address, abi: exampleRollupAbi, functionName: 'market' })),
        c.AggregationMarket.address,
      );
      assert.equal(
        await client.readContract({ address: example.address, abi: exampleRollupAbi, functionName: 'stateRoot' }),
        example.genesisRoot,
      );
    });

    it('re-running against the same devnet sends nothing', async () => {
      const client = createPublicClient({ transport: http(devnet.rpcUrl) });
      const block = await client.getBlockNumber();
      const again = await startDevnet({ rpcUrl: anvil.rpcUrl, verifierBuild: build, skipContractBuild: true, ...dirs });
      assert.equal(again.transactionsSent, 0);
      assert.deepEqual(again.deployments.contracts, devnet.deployments.contracts);
      assert.deepEqual(again.deployments.exampleRollup, devnet.deployments.exampleRollup);
      assert.equal(await client.getBlockNumber(), block);
    });

    it('the rollup CLI works on it: fee, register, submit, status, verified', async () => {
      const common = ['--rpc-url', devnet.rpcUrl, '--deployments', dirs.deploymentsDir];
      const fee = await runCli(['rollup', 'fee'], common);
      assert.equal(fee.code, 0, fee.err);
      assert.match(fee.out, /0\.0001 ETH/);
      const manifest = JSON.parse(readFileSync(path.join(build.buildDir, 'manifest.json'), 'utf8')) as {
        circuits: Record<string, { vkHash: Hex }>;
      };
      const vkHash = manifest.circuits.rollup_counter!.vkHash;
      // Version 2: the program id is keccak256(abi.encode(registrant, vkHash)).
      const programId = programIdOf(testAccounts(2)[1]!.address, vkHash);
      const vkFile = path.join(build.buildDir, 'rollup_counter.vk');
      const reg = await runCli(
        ['rollup', 'register'],
        [...common, '--account', '1', '--vk', vkFile, '--vk-hash', vkHash, '--public-inputs', '1'],
      );
      assert.equal(reg.code, 0, reg.err);
      assert.match(reg.out, new RegExp(`registered program ${programId}`));
      const again = await runCli(
        ['rollup', 'register'],
        [...common, '--account', '1', '--vk', vkFile, '--vk-hash', vkHash, '--public-inputs', '1'],
      );
      assert.equal(again.code, 1);
      assert.match(again.err, /already registered|MarketProgramExists/);
      const proof = bytesToHex(Buffer.alloc(14_656, 7));
      const wrongCount = await runCli(
        ['rollup', 'submit'],
        [...common, '--account', '1', '--program', programId, '--inputs', '1,2', '--proof', proof],
      );
      assert.equal(wrongCount.code, 1);
      assert.match(wrongCount.err, /public-input count|expects 1/);
      const unknown = await runCli(
        ['rollup', 'submit'],
        [...common, '--account', '1', '--program', word(0x1234), '--inputs', '1', '--proof', proof],
      );
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /not registered/);
      const sub = await runCli(
        ['rollup', 'submit'],
        [...common, '--account', '1', '--program', programId, '--inputs', '5', '--proof', proof, '--fee', '0.001'],
      );
      assert.equal(sub.code, 0, sub.err);
      // The first submission on a fresh market: batch 1, slot 0 = submission id 1 * 64 + 0.
      assert.match(sub.out, /submission 64 \(batch 1 slot 0/);
      const status = await runCli(['rollup', 'status'], [...common, '64']);
      assert.equal(status.code, 0, status.err);
      assert.match(status.out, /submission 64: batch 1 slot 0: /);
      const verified = await runCli(['rollup', 'verified'], [...common, '--program', programId, '--inputs', '5']);
      assert.match(verified.out, /NOT verified/);
    });

    it('`nex devnet --rpc-url` prints the addresses, accounts and next steps', async () => {
      // The command reads its directories from the environment: keep the project's own files untouched.
      process.env.NEX_DEPLOYMENTS_DIR = dirs.deploymentsDir;
      process.env.NEX_IGNITION_DIR = dirs.ignitionDir;
      let r: Awaited<ReturnType<typeof runCli>>;
      try {
        r = await runCli(['devnet'], ['--rpc-url', anvil.rpcUrl, '--no-build']);
      } finally {
        delete process.env.NEX_DEPLOYMENTS_DIR;
        delete process.env.NEX_IGNITION_DIR;
      }
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /already up to date/);
      assert.match(r.err, /"event":"deploy.done"/);
      assert.match(r.out, /AggregationMarket\s+0x[0-9a-fA-F]{40}/);
      assert.match(r.out, /Next steps/);
      assert.match(r.out, /INSECURE dev SRS/);
      assert.match(r.out, /Verifier: optimized \(router version 1, key set 0x[0-9a-f]{64}\)/);
      assert.match(r.out, /Rollup proofs: 14656 bytes/);
      assert.match(r.out, /Example rollup: program 0x[0-9a-f]{64} \(rollup_transfer, owner #0\)/);
      assert.match(r.out, /AggregationMarketExtension\s+0x[0-9a-fA-F]{40}/);
    });

    it('`nex deploy` on the same chain confirms the deployment without sending anything', async () => {
      process.env.NEX_DEPLOYMENTS_DIR = dirs.deploymentsDir;
      process.env.NEX_IGNITION_DIR = dirs.ignitionDir;
      process.env.NEX_DEPLOYER_KEY = testAccounts(1)[0]!.privateKey;
      try {
        const r = await runCli(['deploy'], ['--network', 'devnet', '--rpc-url', anvil.rpcUrl]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /Already deployed, nothing sent on chain 31337/);
        assert.match(r.out, /\(optimized verifier\)/);
        // The example rollup nex devnet added stays recorded when nex deploy rewrites the file.
        assert.deepEqual(readDeployments(31337, dirs.deploymentsDir).exampleRollup, devnet.deployments.exampleRollup);
        const missing = await runCli(['deploy'], ['--rpc-url', anvil.rpcUrl]);
        assert.match(missing.err, /--network is required/);
        // The variant flag is validated before anything connects; another variant than the deployed one is refused.
        const bad = await runCli(['deploy'], ['--network', 'devnet', '--rpc-url', anvil.rpcUrl, '--verifier-variant', 'fast']);
        assert.equal(bad.code, 2); // a usage error: `nex` exits 2 (the old harness called the command object, whose throw it counted as 1)
        assert.match(bad.err, /--verifier-variant: expected one of 'standard', 'optimized', got "fast"/);
        const badDevnet = await runCli(['devnet'], ['--rpc-url', anvil.rpcUrl, '--verifier-variant', 'fast']);
        assert.match(badDevnet.err, /--verifier-variant: expected one of/);
        const other = await runCli(['deploy'], ['--network', 'devnet', '--rpc-url', anvil.rpcUrl, '--verifier-variant', 'standard']);
        assert.equal(other.code, 1);
        assert.match(other.err, /already has the 'optimized' verifier deployed as router version 1/);
      } finally {
        delete process.env.NEX_DEPLOYMENTS_DIR;
        delete process.env.NEX_IGNITION_DIR;
        delete process.env.NEX_DEPLOYER_KEY;
      }
    });

    it('deploys an ExampleRollup wired as its program callback, for the program owner only', async () => {
      const owner = testAccounts(4)[3]!;
      const market = devnet.deployments.contracts.AggregationMarket.address;
      const client = createPublicClient({ transport: http(anvil.rpcUrl) });
      const wallet = createWalletClient({
        account: privateKeyToAccount(owner.privateKey),
        transport: http(anvil.rpcUrl),
        chain: chainFor(31337, anvil.rpcUrl),
      });
      const vkHash = word(0x5eed);
      const hash = await wallet.writeContract({
        address: market,
        abi: aggregationMarketAbi,
        functionName: 'registerProgram',
        args: [vkHash, `0x${'ab'.repeat(VK_BYTES)}`, 2],
      });
      assert.equal((await client.waitForTransactionReceipt({ hash })).status, 'success');
      const programId = programIdOf(owner.address, vkHash);
      const address = await deployExampleRollup({
        rpcUrl: anvil.rpcUrl,
        privateKey: owner.privateKey,
        market,
        programId,
        genesisRoot: word(1),
      });
      const program = await client.readContract({
        address: market,
        abi: aggregationMarketAbi,
        functionName: 'getProgram',
        args: [programId],
      });
      assert.equal(program.callback, address);
      assert.equal(program.callbackGas, EXAMPLE_CALLBACK_GAS);
      const other = testAccounts(5)[4]!;
      await assert.rejects(
        deployExampleRollup({ rpcUrl: anvil.rpcUrl, privateKey: other.privateKey, market, programId, genesisRoot: word(1) }),
        /MarketNotProgramOwner/,
      );
    });

    it('a deployment signed locally by a key the node does not hold', async () => {
      const key = generatePrivateKey();
      const deployer = privateKeyToAccount(key).address;
      await createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) }).setBalance({ address: deployer, value: 10n ** 20n });
      const r = await deployNex({
        provider: rpcProvider(anvil.rpcUrl, key),
        network: 'devnet',
        parameters: params,
        verifierBuild: build,
        deploymentsDir: tempDir(),
        ignitionDir: tempDir(),
      });
      assert.equal(r.deployments.deployer, deployer);
      assert.ok(r.transactionsSent >= 13);
      assert.notEqual(r.deployments.contracts.AggregationMarket.address, devnet.deployments.contracts.AggregationMarket.address);
    });

    it('the explorer nex devnet starts beside its node reads this deployment', async () => {
      const explorer = await startDevnetExplorer(devnet, 0);
      try {
        assert.match(explorer.url, /^http:\/\/127\.0\.0\.1:\d+/);
        const res = await fetch(new URL('/api/status', explorer.url));
        assert.equal(res.status, 200);
        const body = JSON.stringify(await res.json()).toLowerCase();
        assert.ok(body.includes(devnet.deployments.contracts.AggregationMarket.address.toLowerCase()), body.slice(0, 300));
        assert.match(body, /31337/);
      } finally {
        await explorer.close();
      }
    });

    it('anvil stops cleanly', async () => {
      await anvil.stop();
      assert.equal(await probeChainId(anvil.rpcUrl, 500), undefined);
      assert.equal(processAlive(anvil.pid), false);
    });
  });

  it('startDevnet starts a Hardhat node on loopback, and stop() shuts it down', async () => {
    const port = await freePort();
    const d = await startDevnet({ port, verifierBuild: build, skipContractBuild: true, deploymentsDir: tempDir(), ignitionDir: tempDir() });
    try {
      assert.equal(d.spawned, true);
      assert.equal(d.chain, 'hardhat');
      assert.equal(d.rpcUrl, `http://127.0.0.1:${port}`);
      assert.equal(await probeChainId(d.rpcUrl), 31337);
      assert.ok(d.deployments.contracts.AggregationMarket.address);
    } finally {
      await d.stop();
    }
    assert.equal(await probeChainId(d.rpcUrl, 500), undefined);
  });

  it('startDevnet --chain anvil starts anvil (which serves blob lookups), deploys, and stop() shuts it down', async () => {
    const port = await freePort();
    const d = await startDevnet({
      chain: 'anvil',
      port,
      verifierBuild: build,
      skipContractBuild: true,
      deploymentsDir: tempDir(),
      ignitionDir: tempDir(),
    });
    try {
      assert.equal(d.spawned, true);
      assert.equal(d.chain, 'anvil');
      assert.equal(d.rpcUrl, `http://127.0.0.1:${port}`);
      assert.equal(await probeChainId(d.rpcUrl), 31337);
      assert.ok(d.deployments.exampleRollup);
      // anvil answers the blob lookup the keeper uses for the blob channel (Hardhat's node has no such method).
      const res = await fetch(d.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_getBlobsByTransactionHash', params: [word(9)] }),
      });
      const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
      assert.notEqual(body.error?.code, -32601, `method not found: ${JSON.stringify(body)}`);
    } finally {
      await d.stop();
    }
    assert.equal(await probeChainId(d.rpcUrl, 500), undefined);
  });

  it('`--chain` and `--srs` take only their choices, before anything starts', async () => {
    const chain = await runCli(['devnet'], ['--chain', 'geth']);
    assert.equal(chain.code, 2);
    assert.match(chain.err, /argument 'geth' is invalid\. Allowed choices are hardhat, anvil/);
    const srs = await runCli(['deploy'], ['--network', 'devnet', '--rpc-url', 'http://127.0.0.1:1', '--srs', 'mine']);
    assert.equal(srs.code, 2);
    assert.match(srs.err, /argument 'mine' is invalid\. Allowed choices are ignition, dev/);
  });

  it('refuses a port that is already serving', async () => {
    const node = await spawnNode({ kind: 'anvil', port: await freePort() });
    try {
      const port = Number(new URL(node.rpcUrl).port);
      await assert.rejects(spawnNode({ kind: 'hardhat', port }), /already answers/);
    } finally {
      await node.stop();
    }
  });
});

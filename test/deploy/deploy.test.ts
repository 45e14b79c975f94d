// Deployment on Hardhat's in-process EDR chain with the real circuits build (the generated HonkVerifier:
// the optimized variant by default, the standard one with its library when the parameters ask
// for it): wiring, roles, idempotency, the verifier-variant parameter, refusal of the dev SRS on a
// non-local chain, and refusal of test/mock artifacts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, after, describe, it } from 'mocha';
import { network } from 'hardhat';
import { createPublicClient, custom, getAddress, type Address, type EIP1193Provider, type Hex } from 'viem';
import type { EIP1193Provider as IgnitionProvider } from '@nomicfoundation/ignition-core';
import { ArtifactError, assertNotTestArtifact, ProjectArtifactResolver } from '../../deploy/artifacts.js';
import { deployNex, DeployError } from '../../deploy/deploy.js';
import { ensureVerifierBuild } from '../../deploy/devnet/build.js';
import { loadParameters, parametersDir, parseParameters, ParametersError, type NexParameters } from '../../deploy/parameters.js';
import { ROLES } from '../../deploy/roles.js';
import { VerifierBuildError, verifierVariantOf, type VerifierBuild } from '../../deploy/verifierBuild.js';
import { InsecureSrsError } from '../../prover/protocol/index.js';
import { accessControlAbi, aggregationMarketAbi, nexTokenAbi, proverStakingAbi, verifierRouterAbi } from '../../prover/abi/v1.js';
import { readDeployments } from '../../prover/sdk/deployments.js';

describe('deployNex (Ignition) on the in-process EDR chain', function () {
  this.timeout(15 * 60_000);
  let build: VerifierBuild;
  let params: NexParameters;
  const tmp: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'nex-deploy-'));
    tmp.push(d);
    return d;
  };

  before(async () => {
    // The real circuits build (cached by `npm run circuits`; built here on a clean machine).
    build = await ensureVerifierBuild();
    params = loadParameters('devnet');
  });
  after(() => {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  });

  describe('a deployment and a re-run', () => {
    let provider: EIP1193Provider;
    let dirs: { deploymentsDir: string; ignitionDir: string };
    let first: Awaited<ReturnType<typeof deployNex>>;
    let deployer: Address;

    before(async () => {
      const conn = await network.create();
      provider = conn.provider as unknown as EIP1193Provider;
      deployer = getAddress(((await provider.request({ method: 'eth_accounts' })) as string[])[0]!);
      dirs = { deploymentsDir: tempDir(), ignitionDir: tempDir() };
      first = await deployNex({
        provider: provider as IgnitionProvider,
        network: 'devnet',
        parameters: params,
        verifierBuild: build,
        ...dirs,
      });
    });

    it('deploys every contract with the optimized verifier (the default) and records it in the deployments file', async () => {
      assert.equal(params.verifierVariant, 'optimized');
      assert.ok(first.transactionsSent >= 11, `sent ${first.transactionsSent}`);
      const onDisk = readDeployments(first.deployments.chainId, dirs.deploymentsDir);
      assert.deepEqual(onDisk.contracts, first.deployments.contracts);
      assert.equal(onDisk.srs.mode, 'dev');
      assert.equal(onDisk.verifier.variant, 'optimized');
      assert.deepEqual(onDisk.verifier.keyHashes, build.keyHashes);
      const client = createPublicClient({ transport: custom(provider) });
      for (const [name, c] of Object.entries(onDisk.contracts)) {
        const code = await client.getCode({ address: c.address });
        assert.ok(code && code.length > 2, `${name} has code`);
      }
      // The deployed code is the optimized artifact's, and no library was deployed.
      const optimized = verifierVariantOf(build, 'optimized');
      assert.equal(await client.getCode({ address: onDisk.contracts.HonkVerifier.address }), optimized.verifier.deployedBytecode);
      for (const lib of Object.keys(verifierVariantOf(build, 'standard').libraries))
        assert.equal(onDisk.contracts[lib], undefined, `${lib} not deployed`);
    });

    it('wires router v1, market role, parameters and governance, and leaves the deployer no admin role', async () => {
      const c = first.deployments.contracts;
      const client = createPublicClient({ transport: custom(provider) });
      const [verifier, keyHashes] = await client.readContract({
        address: c.VerifierRouter.address,
        abi: verifierRouterAbi,
        functionName: 'getVersion',
        args: [1],
      });
      assert.equal(getAddress(verifier), c.HonkVerifier.address);
      assert.deepEqual(keyHashes, build.keyHashes);
      assert.equal(
        await client.readContract({ address: c.VerifierRouter.address, abi: verifierRouterAbi, functionName: 'currentVersion' }),
        1,
      );
      assert.equal(
        getAddress(await client.readContract({ address: c.ProverStaking.address, abi: proverStakingAbi, functionName: 'market' })),
        c.AggregationMarket.address,
      );
      assert.equal(
        await client.readContract({ address: c.ProverStaking.address, abi: proverStakingAbi, functionName: 'unbondingPeriod' }),
        BigInt(params.staking.unbondingPeriod),
      );
      assert.equal(
        await client.readContract({ address: c.ProverStaking.address, abi: proverStakingAbi, functionName: 'minStake' }),
        params.staking.minStake,
      );
      const p = await client.readContract({ address: c.AggregationMarket.address, abi: aggregationMarketAbi, functionName: 'params' });
      const { treasury: _t, ...expected } = params.market;
      assert.deepEqual({ ...p }, expected);
      assert.equal(
        await client.readContract({ address: c.NexToken.address, abi: nexTokenAbi, functionName: 'balanceOf', args: [deployer] }),
        params.token.supply,
      );
      const has = (address: Address, role: Hex, account: Address) =>
        client.readContract({ address, abi: accessControlAbi, functionName: 'hasRole', args: [role, account] });
      assert.equal(await has(c.ProverStaking.address, ROLES.MARKET_ROLE, c.AggregationMarket.address), true);
      for (const contract of [c.ProverStaking, c.VerifierRouter, c.AggregationMarket]) {
        assert.equal(await has(contract.address, ROLES.DEFAULT_ADMIN_ROLE, c.TimelockController.address), true);
        assert.equal(await has(contract.address, ROLES.DEFAULT_ADMIN_ROLE, deployer), false);
      }
      // The timelock administers itself; the devnet's proposer is the deployer, anyone may execute.
      assert.equal(await has(c.TimelockController.address, ROLES.DEFAULT_ADMIN_ROLE, deployer), false);
      assert.equal(await has(c.TimelockController.address, ROLES.PROPOSER_ROLE, deployer), true);
      assert.equal(await has(c.TimelockController.address, ROLES.EXECUTOR_ROLE, '0x0000000000000000000000000000000000000000'), true);
    });

    it('re-running changes nothing: no transaction, same addresses', async () => {
      const client = createPublicClient({ transport: custom(provider) });
      const blockBefore = await client.getBlockNumber();
      const again = await deployNex({
        provider: provider as IgnitionProvider,
        network: 'devnet',
        parameters: params,
        verifierBuild: build,
        ...dirs,
      });
      assert.equal(again.transactionsSent, 0);
      assert.equal(await client.getBlockNumber(), blockBefore);
      assert.deepEqual(again.deployments.contracts, first.deployments.contracts);
      assert.equal(again.deployments.writtenAt, first.deployments.writtenAt);
    });

    it('a changed parameter is a reconciliation error, not a silent redeploy', async () => {
      const client = createPublicClient({ transport: custom(provider) });
      const blockBefore = await client.getBlockNumber();
      const changed = { ...params, market: { ...params.market, minFeePerProof: params.market.minFeePerProof + 1n } };
      await assert.rejects(
        deployNex({ provider: provider as IgnitionProvider, network: 'devnet', parameters: changed, verifierBuild: build, ...dirs }),
        (e: unknown) => e instanceof DeployError && /AggregationMarket/.test(e.message),
      );
      assert.equal(await client.getBlockNumber(), blockBefore);
    });

    it('a new chain with the same id discards the stale journal on a local devnet', async () => {
      const fresh = await network.create();
      const r = await deployNex({
        provider: fresh.provider as unknown as IgnitionProvider,
        network: 'devnet',
        parameters: params,
        verifierBuild: build,
        ...dirs,
      });
      assert.ok(r.transactionsSent > 0);
      const code = await createPublicClient({ transport: custom(fresh.provider as unknown as EIP1193Provider) }).getCode({
        address: r.deployments.contracts.AggregationMarket.address,
      });
      assert.ok(code && code.length > 2);
    });
  });

  describe('the verifierVariant parameter', () => {
    it('defaults to optimized, accepts standard and rejects anything else with a clear error', () => {
      const raw = JSON.parse(readFileSync(path.join(parametersDir(), 'devnet.json'), 'utf8')) as Record<string, unknown>;
      const { verifierVariant: _v, ...withoutVariant } = raw;
      assert.equal(parseParameters('devnet', withoutVariant).verifierVariant, 'optimized');
      assert.equal(parseParameters('devnet', { ...raw, verifierVariant: 'standard' }).verifierVariant, 'standard');
      assert.equal(loadParameters('testnet').verifierVariant, 'optimized');
      for (const bad of ['fast', 'Optimized', '', 1, null]) {
        assert.throws(
          () => parseParameters('devnet', { ...raw, verifierVariant: bad }),
          (e: unknown) => e instanceof ParametersError && /verifierVariant: expected one of 'standard', 'optimized'/.test(e.message),
        );
      }
    });

    it('a build without the chosen variant fails before anything is sent', async () => {
      const conn = await network.create();
      const provider = conn.provider as unknown as IgnitionProvider;
      const blockBefore = (await provider.request({ method: 'eth_blockNumber' })) as string;
      const onlyStandard: VerifierBuild = { ...build, variants: { standard: verifierVariantOf(build, 'standard') } };
      await assert.rejects(
        deployNex({
          provider,
          network: 'devnet',
          parameters: params,
          verifierBuild: onlyStandard,
          deploymentsDir: tempDir(),
          ignitionDir: tempDir(),
        }),
        (e: unknown) => e instanceof VerifierBuildError && /no 'optimized' verifier/.test(e.message),
      );
      assert.equal(await provider.request({ method: 'eth_blockNumber' }), blockBefore);
    });

    it("'standard' deploys and links its library, records the variant, re-runs idempotently, and refuses a switch", async () => {
      const conn = await network.create();
      const provider = conn.provider as unknown as EIP1193Provider;
      const dirs = { deploymentsDir: tempDir(), ignitionDir: tempDir() };
      const standardParams: NexParameters = { ...params, verifierVariant: 'standard' };
      const r = await deployNex({
        provider: provider as IgnitionProvider,
        network: 'devnet',
        parameters: standardParams,
        verifierBuild: build,
        ...dirs,
      });
      assert.ok(r.transactionsSent >= 13, `sent ${r.transactionsSent}`);
      const onDisk = readDeployments(r.deployments.chainId, dirs.deploymentsDir);
      assert.equal(onDisk.verifier.variant, 'standard');
      const client = createPublicClient({ transport: custom(provider) });
      const standard = verifierVariantOf(build, 'standard');
      const libs = Object.keys(standard.libraries);
      assert.deepEqual(libs.sort(), ['RelationsLib']); // bb's non-ZK standard verifier (version 2) links one library
      // The verifier's runtime code embeds the libraries' addresses (linked).
      const verifierCode = (await client.getCode({ address: onDisk.contracts.HonkVerifier.address }))!.toLowerCase();
      for (const lib of libs) {
        assert.ok(onDisk.contracts[lib], `library ${lib} recorded`);
        assert.ok(verifierCode.includes(onDisk.contracts[lib]!.address.slice(2).toLowerCase()), `${lib} linked`);
      }
      const [verifier] = await client.readContract({
        address: onDisk.contracts.VerifierRouter.address,
        abi: verifierRouterAbi,
        functionName: 'getVersion',
        args: [1],
      });
      assert.equal(getAddress(verifier), onDisk.contracts.HonkVerifier.address);

      const blockBefore = await client.getBlockNumber();
      const again = await deployNex({
        provider: provider as IgnitionProvider,
        network: 'devnet',
        parameters: standardParams,
        verifierBuild: build,
        ...dirs,
      });
      assert.equal(again.transactionsSent, 0);
      assert.equal(again.deployments.verifier.variant, 'standard');
      await assert.rejects(
        deployNex({ provider: provider as IgnitionProvider, network: 'devnet', parameters: params, verifierBuild: build, ...dirs }),
        (e: unknown) => e instanceof DeployError && /already has the 'standard' verifier/.test(e.message),
      );
      assert.equal(await client.getBlockNumber(), blockBefore);
      assert.equal(readDeployments(r.deployments.chainId, dirs.deploymentsDir).verifier.variant, 'standard');
    });
  });

  it('refuses a dev-SRS verifier on a chain that is not a local devnet, before sending anything', async () => {
    const conn = await network.create({ override: { chainId: 11155111 } });
    const provider = conn.provider as unknown as IgnitionProvider;
    const ignitionDir = tempDir();
    const blockBefore = (await provider.request({ method: 'eth_blockNumber' })) as string;
    await assert.rejects(
      deployNex({ provider, network: 'devnet', parameters: params, verifierBuild: build, deploymentsDir: tempDir(), ignitionDir }),
      (e: unknown) => e instanceof InsecureSrsError && /11155111/.test(e.message),
    );
    assert.equal(await provider.request({ method: 'eth_blockNumber' }), blockBefore);
    assert.equal(existsSync(path.join(ignitionDir, 'chain-11155111')), false);
  });

  it('never resolves test or mock contracts', async () => {
    const resolver = new ProjectArtifactResolver();
    await assert.rejects(resolver.loadArtifact('MockVerifier'), ArtifactError);
    await assert.rejects(resolver.loadArtifact('FalseVerifier'), ArtifactError);
    assert.throws(() => assertNotTestArtifact({ sourceName: 'test/mocks/MockVerifiers.sol', contractName: 'HonkVerifier' }), ArtifactError);
    assert.throws(() => assertNotTestArtifact({ sourceName: 'HonkVerifier.sol', contractName: 'MockVerifier' }), ArtifactError);
    assert.equal(
      (await resolver.loadArtifact('AggregationMarket')).sourceName.replace(/^project\//, ''),
      'contracts/market/AggregationMarket.sol',
    );
  });

  it('validates the parameters file', () => {
    assert.throws(
      () => parseParameters('x', { ...structuredClone(rawDevnet()), market: { ...rawDevnet().market, batchCapacity: 6 } }),
      ParametersError,
    );
    assert.throws(
      () => parseParameters('x', { ...rawDevnet(), staking: { ...rawDevnet().staking, unbondingPeriod: 60 } }),
      (e: unknown) => e instanceof ParametersError && /maxJobLifetime/.test(e.message),
    );
    assert.throws(() => parseParameters('x', { ...rawDevnet(), token: { supply: 'lots', treasury: 'deployer' } }), ParametersError);
    assert.equal(parseParameters('x', rawDevnet()).market.minFeePerProof, 10n ** 14n);
  });
});

function rawDevnet(): Record<string, Record<string, unknown>> {
  return {
    token: { supply: '1000 ether', treasury: 'deployer' },
    staking: { minStake: '100 ether', unbondingPeriod: 7200, slashBurnBps: 5000 },
    market: {
      treasury: 'deployer',
      minFeePerProof: '0.0001 ether',
      batchCapacity: 4,
      batchTimeout: 15,
      assignmentWindow: 30,
      provingWindowBase: 600,
      provingWindowPerProof: 120,
      secondaryWindow: 600,
      submissionTtl: 7200,
      collateralPerProof: '10 ether',
      protocolFeeBps: 500,
      callbackGasLimit: 100000,
    },
    governance: { minDelay: 60, proposers: ['deployer'], executors: [], guardian: 'deployer' },
  };
}

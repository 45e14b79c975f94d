// Deployment of the version-2 protocol on Hardhat's in-process EDR chain with the real circuits build
// (bb's non-ZK root verifier: the optimized variant by default, the standard one with RelationsLib when
// the parameters ask for it): router version 1 pins the build's key set and rollup proof length, the
// market's extension, wiring, roles, idempotency, the verifier-variant parameter, the choice of the
// build by the toolchain's build id, refusal of the dev SRS on a non-local chain, and refusal of
// test/mock artifacts.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, after, describe, it } from 'mocha';
import { network } from 'hardhat';
import { createPublicClient, custom, getAddress, type Address, type EIP1193Provider, type Hex } from 'viem';
import type { EIP1193Provider as IgnitionProvider } from '@nomicfoundation/ignition-core';
import { ArtifactError, assertNotTestArtifact, ProjectArtifactResolver } from '../../deploy/artifacts.js';
import { deployNex, DeployError } from '../../deploy/deploy.js';
import { ensureVerifierBuild } from '../../deploy/devnet/build.js';
import {
  loadParameters,
  parametersDir,
  parseParameters,
  ParametersError,
  PLACEHOLDER_ADDRESS,
  publicChainProblems,
  type NexParameters,
} from '../../deploy/parameters.js';
import { carriesIgnitionG2, deployRootVerifier } from '../../prover/toolchain/index.js';
import type { VerifierArtifact } from '../../prover/engine/index.js';
import { ROLES } from '../../deploy/roles.js';
import {
  currentBuildDir,
  loadVerifierBuild,
  srsIdFor,
  VerifierBuildError,
  verifierVariantOf,
  type VerifierBuild,
} from '../../deploy/verifierBuild.js';
import { AGG_CIRCUITS, InsecureSrsError, ROLLUP_PROOF_BYTES } from '../../prover/protocol/index.js';
import { accessControlAbi, aggregationMarketAbi, nexTokenAbi, proverStakingAbi, verifierRouterAbi } from '../../prover/abi/generated.js';
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
      assert.equal(onDisk.format, 2);
      assert.equal(onDisk.verifier.variant, 'optimized');
      assert.deepEqual(onDisk.verifier.keyHashes, build.keyHashes);
      assert.equal(onDisk.verifier.keyHashes.length, AGG_CIRCUITS.length);
      assert.equal(onDisk.verifier.keySet, build.keySet);
      assert.equal(onDisk.verifier.rollupProofBytes, ROLLUP_PROOF_BYTES);
      assert.equal(ROLLUP_PROOF_BYTES, 14_656);
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

    it('wires router v1 (verifier, key set, proof length), the market and its extension, parameters and governance, and leaves the deployer no admin role', async () => {
      const c = first.deployments.contracts;
      const client = createPublicClient({ transport: custom(provider) });
      const version = await client.readContract({
        address: c.VerifierRouter.address,
        abi: verifierRouterAbi,
        functionName: 'getVersion',
        args: [1],
      });
      assert.equal(getAddress(version.verifier), c.HonkVerifier.address);
      assert.equal(version.keySet, build.keySet);
      assert.equal(version.rollupProofBytes, 14_656);
      assert.deepEqual(await client.readContract({ address: c.VerifierRouter.address, abi: verifierRouterAbi, functionName: 'current' }), [
        1,
        14_656n,
      ]);
      assert.equal(
        getAddress(
          await client.readContract({ address: c.AggregationMarket.address, abi: aggregationMarketAbi, functionName: 'extension' }),
        ),
        c.AggregationMarketExtension.address,
      );
      assert.equal(
        getAddress(await client.readContract({ address: c.AggregationMarket.address, abi: aggregationMarketAbi, functionName: 'router' })),
        c.VerifierRouter.address,
      );
      assert.equal(
        await client.readContract({ address: c.ProverStaking.address, abi: proverStakingAbi, functionName: 'weightWarmup' }),
        params.staking.weightWarmup,
      );
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
      const { verifier, keySet } = await client.readContract({
        address: onDisk.contracts.VerifierRouter.address,
        abi: verifierRouterAbi,
        functionName: 'getVersion',
        args: [1],
      });
      assert.equal(getAddress(verifier), onDisk.contracts.HonkVerifier.address);
      assert.equal(keySet, build.keySet);

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

  it('off a local devnet, the default build is the Ignition one; without it nothing is sent, and --srs dev is refused', async () => {
    const conn = await network.create({ override: { chainId: 11155111 } });
    const provider = conn.provider as unknown as IgnitionProvider;
    const blockBefore = (await provider.request({ method: 'eth_blockNumber' })) as string;
    const saved = process.env.NEX_BUILD_DIR;
    process.env.NEX_BUILD_DIR = tempDir(); // a build root without any Ignition build
    try {
      await assert.rejects(
        deployNex({ provider, network: 'testnet', deploymentsDir: tempDir(), ignitionDir: tempDir() }),
        (e: unknown) => e instanceof VerifierBuildError && /for the ignition SRS/.test(e.message),
      );
    } finally {
      if (saved === undefined) delete process.env.NEX_BUILD_DIR;
      else process.env.NEX_BUILD_DIR = saved;
    }
    await assert.rejects(
      deployNex({ provider, network: 'testnet', srs: 'dev', deploymentsDir: tempDir(), ignitionDir: tempDir() }),
      (e: unknown) => e instanceof InsecureSrsError && /11155111/.test(e.message),
    );
    assert.equal(await provider.request({ method: 'eth_blockNumber' }), blockBefore);
  });

  describe('public chains (issue 10 items 10 and 14): parameters and the verifier code itself', () => {
    it('lists the placeholders, deployer-held roles and a timelock delay shorter than unbonding', () => {
      const testnet = loadParameters('testnet');
      const problems = publicChainProblems(testnet);
      for (const role of ['token.treasury', 'market.treasury', 'governance.guardian', 'governance.proposers[0]']) {
        assert.ok(
          problems.some((p) => p.startsWith(`${role} is the template's placeholder ${PLACEHOLDER_ADDRESS}`)),
          role,
        );
      }
      assert.equal(problems.filter((p) => /minDelay/.test(p)).length, 0, 'the template waits longer than unbonding');
      const real = '0x1111111111111111111111111111111111111111' as Address;
      const fixed: NexParameters = {
        ...testnet,
        token: { ...testnet.token, treasury: real },
        market: { ...testnet.market, treasury: real },
        governance: { ...testnet.governance, proposers: [real], guardian: real },
      };
      assert.deepEqual(publicChainProblems(fixed), []);
      const short = publicChainProblems({ ...fixed, governance: { ...fixed.governance, minDelay: 172_800 } });
      assert.equal(short.length, 1);
      assert.match(short[0]!, /governance\.minDelay \(172800 s\) is shorter than staking\.unbondingPeriod \(604800 s\)/);
      const devnetRoles = publicChainProblems(loadParameters('devnet'));
      assert.ok(devnetRoles.some((p) => /^token\.treasury is 'deployer'/.test(p)));
      assert.ok(devnetRoles.some((p) => /^governance\.guardian is 'deployer'/.test(p)));
      assert.ok(devnetRoles.some((p) => /minDelay/.test(p)));
    });

    it("reads the Ignition [x]_2 from the verifier's code: the stock source has it, the dev build's source and bytecode do not", () => {
      for (const variant of ['standard', 'optimized'] as const) {
        const suffix = variant === 'optimized' ? '.optimized' : '';
        const stock = readFileSync(path.join(build.buildDir, `HonkVerifier${suffix}.stock.sol`), 'utf8');
        const patched = readFileSync(path.join(build.buildDir, `HonkVerifier${suffix}.sol`), 'utf8');
        assert.equal(carriesIgnitionG2(stock), true, `${variant} stock source`);
        assert.equal(carriesIgnitionG2(patched), false, `${variant} dev source`);
        assert.equal(carriesIgnitionG2(String(verifierVariantOf(build, variant).verifier.bytecode)), false, `${variant} dev bytecode`);
        // The same bytecode with the dev words put back to Ignition's is what an Ignition build compiles to.
        const literals = (src: string) => new Set(src.match(/0x[0-9a-fA-F]{40,64}/g));
        const ignition = [...literals(stock)].filter((w) => !literals(patched).has(w));
        const dev = [...literals(patched)].filter((w) => !literals(stock).has(w));
        assert.equal(dev.length, 4);
        let code = String(verifierVariantOf(build, variant).verifier.bytecode).toLowerCase();
        const bare = (w: string) => w.slice(2).toLowerCase().replace(/^0+/, '');
        dev.forEach((w, i) => (code = code.split(bare(w)).join(bare(ignition[i]!))));
        assert.equal(carriesIgnitionG2(code), true, `${variant} bytecode with Ignition's words`);
      }
    });

    it("deployNex checks the verifier's code, not only the build's label, and the parameters, before sending anything", async () => {
      const conn = await network.create({ override: { chainId: 11155111 } });
      const provider = conn.provider as unknown as IgnitionProvider;
      const blockBefore = (await provider.request({ method: 'eth_blockNumber' })) as string;
      const mislabelled: VerifierBuild = { ...build, srs: { mode: 'ignition', id: 'ignition' } };
      const dirs = () => ({ deploymentsDir: tempDir(), ignitionDir: tempDir() });
      await assert.rejects(
        deployNex({ provider, network: 'testnet', verifierBuild: mislabelled, ...dirs() }),
        (e: unknown) => e instanceof ParametersError && /placeholder/.test(e.message) && /governance\.guardian/.test(e.message),
      );
      const real = '0x1111111111111111111111111111111111111111' as Address;
      const testnet = loadParameters('testnet');
      const fixed: NexParameters = {
        ...testnet,
        token: { ...testnet.token, treasury: real },
        market: { ...testnet.market, treasury: real },
        governance: { ...testnet.governance, proposers: [real], guardian: real },
      };
      await assert.rejects(
        deployNex({ provider, network: 'testnet', parameters: fixed, verifierBuild: mislabelled, ...dirs() }),
        (e: unknown) => e instanceof InsecureSrsError && /does not carry Aztec Ignition/.test(e.message),
      );
      assert.equal(await provider.request({ method: 'eth_blockNumber' }), blockBefore);
    });

    it('deployRootVerifier refuses a dev-SRS verifier off a local devnet before sending anything', async () => {
      const artifact = JSON.parse(readFileSync(path.join(build.buildDir, 'verifier.optimized.json'), 'utf8')) as VerifierArtifact;
      const conn = await network.create({ override: { chainId: 11155111 } });
      const [signer] = await conn.ethers.getSigners();
      const before = await conn.ethers.provider.getBlockNumber();
      await assert.rejects(
        deployRootVerifier(signer!, artifact),
        (e: unknown) => e instanceof InsecureSrsError && /chain 11155111/.test(String(e)),
      );
      assert.equal(await conn.ethers.provider.getBlockNumber(), before);
      const local = await network.create();
      const [localSigner] = await local.ethers.getSigners();
      const deployed = await deployRootVerifier(localSigner!, artifact);
      assert.match(deployed.address, /^0x[0-9a-fA-F]{40}$/);
    });
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

  describe('which circuits build', () => {
    it('is the build of the current sources for the SRS (the build id), never the newest directory', () => {
      // A foreign build written after the current one (newer mtime) must not be picked.
      const root = tempDir();
      const current = currentBuildDir({ mode: 'dev' }, root);
      cpSync(build.buildDir, current, { recursive: true });
      const stale = path.join(root, 'circuits-000000000000000000000000');
      cpSync(build.buildDir, stale, { recursive: true });
      const manifest = JSON.parse(readFileSync(path.join(stale, 'manifest.json'), 'utf8')) as { keySet: { root: string } };
      writeFileSync(path.join(stale, 'manifest.json'), JSON.stringify({ ...manifest, buildId: '000000000000000000000000' }));
      const later = new Date(Date.now() + 60_000);
      utimesSync(path.join(stale, 'manifest.json'), later, later);
      const loaded = loadVerifierBuild({ srs: { mode: 'dev' }, root });
      assert.equal(loaded.buildDir, current);
      assert.equal(loaded.keySet, build.keySet);
      assert.equal(loaded.rollupProofBytes, 14_656);
      assert.equal(loaded.srs.id, srsIdFor({ mode: 'dev' }));
      assert.equal(path.basename(build.buildDir), path.basename(current), 'ensureVerifierBuild loads the same build');
    });

    it('fails with the build command when the SRS has no build of the current sources', () => {
      const root = tempDir();
      mkdirSync(path.join(root, 'circuits-000000000000000000000000'));
      assert.equal(srsIdFor({ mode: 'ignition' }), 'ignition');
      assert.throws(
        () => loadVerifierBuild({ srs: { mode: 'ignition' }, root }),
        (e: unknown) =>
          e instanceof VerifierBuildError && /ignition SRS/.test(e.message) && /npm run circuits -- --srs ignition/.test(e.message),
      );
      assert.throws(
        () => loadVerifierBuild({ srs: { mode: 'dev' }, root }),
        (e: unknown) => e instanceof VerifierBuildError && /dev-[0-9a-f]{16} SRS/.test(e.message),
      );
    });

    it('refuses a manifest whose key set is missing or disagrees with its key hashes', () => {
      const root = tempDir();
      const dir = path.join(root, 'circuits-x');
      cpSync(build.buildDir, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
        keySet: { root: string; levels: string[][] };
        keyHashes: Record<string, string>;
      };
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, keySet: undefined }));
      assert.throws(
        () => loadVerifierBuild(dir),
        (e: unknown) => e instanceof VerifierBuildError && /keySet missing/.test(e.message),
      );
      const otherRoot = `0x${'0'.repeat(63)}5`;
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, keySet: { ...manifest.keySet, root: otherRoot } }));
      assert.throws(
        () => loadVerifierBuild(dir),
        (e: unknown) => e instanceof VerifierBuildError && /keySet\.root/.test(e.message),
      );
      const swapped = { ...manifest.keyHashes, leaf_1: manifest.keyHashes.leaf_2, leaf_2: manifest.keyHashes.leaf_1 };
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, keyHashes: swapped }));
      assert.throws(
        () => loadVerifierBuild(dir),
        (e: unknown) => e instanceof VerifierBuildError && /keySet/.test(e.message),
      );
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, rollupProofBytes: 0 }));
      assert.throws(
        () => loadVerifierBuild(dir),
        (e: unknown) => e instanceof VerifierBuildError && /rollupProofBytes/.test(e.message),
      );
    });
  });

  it('validates the parameters file', () => {
    assert.throws(
      () => parseParameters('x', { ...structuredClone(rawDevnet()), market: { ...rawDevnet().market, batchCapacity: 6 } }),
      ParametersError,
    );
    assert.throws(() => parseParameters('x', { ...rawDevnet(), market: { ...rawDevnet().market, batchCapacity: 2 } }), /4\.\.64/);
    assert.equal(parseParameters('x', { ...rawDevnet(), market: { ...rawDevnet().market, batchCapacity: 64 } }).market.batchCapacity, 64);
    assert.throws(
      () => parseParameters('x', { ...rawDevnet(), market: { ...rawDevnet().market, protocolFeeBps: 4000, posterFeeBps: 1001 } }),
      /must not exceed 5000/,
    );
    assert.throws(
      () => parseParameters('x', { ...rawDevnet(), market: { ...rawDevnet().market, withdrawalDelay: 60 } }),
      (e: unknown) => e instanceof ParametersError && /withdrawalDelay .*maxJobLifetime/.test(e.message),
    );
    assert.throws(
      () => parseParameters('x', { ...rawDevnet(), market: { ...rawDevnet().market, collateralPerProof: '1000000001' } }),
      /multiple of 1 gwei/,
    );
    assert.throws(
      () => parseParameters('x', { ...rawDevnet(), market: { ...rawDevnet().market, maxCallbackGas: 500_001 } }),
      /maxCallbackGas/,
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
    staking: { minStake: '100 ether', unbondingPeriod: 7200, slashBurnBps: 5000, weightWarmup: 0 },
    market: {
      treasury: 'deployer',
      minFeePerProof: '0.0001 ether',
      batchCapacity: 4,
      batchTimeout: 15,
      assignmentWindow: 30,
      provingWindowBase: 600,
      provingWindowPerProof: 60,
      secondaryWindow: 600,
      submissionTtl: 7200,
      collateralPerProof: '10 ether',
      protocolFeeBps: 500,
      posterFeeBps: 1000,
      maxCallbackGas: 200000,
      withdrawalDelay: 6000,
    },
    governance: { minDelay: 60, proposers: ['deployer'], executors: [], guardian: 'deployer' },
  };
}

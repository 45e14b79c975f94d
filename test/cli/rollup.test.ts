// `nex rollup` against the real version-2 market on anvil (MockVerifier): register prints the owner-bound
// program id, fee per channel, submit on calldata (and its refusal of a proof of the wrong length before
// sending), deposit and withdrawal notice, status of a submission and of an account, verified.
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { zeroAddress, type Hex } from 'viem';
import { testAccounts } from '../../deploy/devnet/accounts.js';
import { main } from '../../prover/cli/main.js';
import { ROLLUP_PROOF_BYTES, programIdOf, writeDeployments } from '../../prover/sdk/index.js';
import { Anvil } from '../keeper/helpers/anvil.js';
import { tempDir } from '../relay/helpers/relay.js';
import { deployV2Market, type V2Market } from '../relay/helpers/v2Market.js';
import { fakeProof, word } from '../sdk/fixture.js';

/** main() in-process; console.log output (the commands' results) is captured into `out`. */
async function nex(argv: string[], env: Record<string, string | undefined> = {}) {
  let out = '';
  let err = '';
  const log = console.log;
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  try {
    const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) }, env);
    return { code, out, err };
  } finally {
    console.log = log;
  }
}

describe('nex rollup (version-2 market on anvil)', function () {
  this.timeout(300_000);
  let anvil: Anvil;
  let v: V2Market;
  let dir: string;
  const rollup = testAccounts(4)[3]!;
  const vkHash = word(0xabc);
  const common = () => ['--rpc-url', anvil.url, '--deployments', dir];

  before(async () => {
    anvil = await Anvil.launch(tempDir('cli-rollup-anvil'));
    v = await deployV2Market(anvil, 10n ** 12n);
    dir = tempDir('cli-rollup-deployments');
    mkdirSync(dir, { recursive: true });
    const contract = (address: Hex) => ({ address, abi: [] });
    writeDeployments(
      {
        format: 2,
        chainId: 31337,
        network: 'anvil',
        genesisHash: `0x${'00'.repeat(32)}`,
        deployer: zeroAddress,
        writtenAt: new Date().toISOString(),
        srs: { mode: 'dev', id: 'test' },
        startBlock: '0',
        contracts: {
          NexToken: contract(zeroAddress),
          ProverStaking: contract(zeroAddress),
          VerifierRouter: contract(v.router),
          AggregationMarket: contract(v.market),
          AggregationMarketExtension: contract(zeroAddress),
          TimelockController: contract(zeroAddress),
          HonkVerifier: contract(zeroAddress),
        },
        verifier: { version: 1, variant: 'optimized', keySet: `0x${'00'.repeat(31)}01`, keyHashes: [], rollupProofBytes: 14_656 },
      },
      dir,
    );
  });

  after(async () => {
    await anvil?.stop();
  });

  it('register, fee, submit, status, verified', async () => {
    const programId = programIdOf(rollup.address, vkHash);
    const reg = await nex([
      'rollup',
      'register',
      ...common(),
      '--account',
      '3',
      '--vk',
      `0x${'ab'.repeat(3_680)}`,
      '--vk-hash',
      vkHash,
      '--public-inputs',
      '1',
    ]);
    expect(reg.err).to.equal('');
    expect(reg.out).to.contain(`registered program ${programId} (owner ${rollup.address})`);

    const fee = await nex(['rollup', 'fee', ...common(), '--channel', 'offchain', '--program', programId]);
    expect(fee.err).to.equal('');
    expect(fee.code).to.equal(0);
    expect(fee.out).to.match(/channel offchain, batch of 32/);
    expect(fee.out).to.match(/all-in L1 gas per proof: 36833/);

    const submitArgs = [
      'rollup',
      'submit',
      ...common(),
      '--account',
      '3',
      '--program',
      programId,
      '--inputs',
      '5',
      '--fee',
      '1000000000000000 wei',
    ];
    const short = await nex([...submitArgs, '--proof', fakeProof(1, ROLLUP_PROOF_BYTES - 32)]);
    expect(short.code).to.not.equal(0);
    expect(short.err).to.match(/14624 bytes; the market's current verifier version takes 14656-byte proofs/);
    const ok = await nex([...submitArgs, '--proof', fakeProof(1)]);
    expect(ok.err).to.equal('');
    expect(ok.out).to.match(/submission 64 \(batch 1 slot 0, fee 0\.001 ETH\)/);

    const status = await nex(['rollup', 'status', ...common(), '64']);
    expect(status.out).to.match(/submission 64: batch 1 slot 0: open, 1\/8 statements/);
    const verified = await nex(['rollup', 'verified', ...common(), '--program', programId, '--inputs', '5']);
    expect(verified.code).to.equal(1);
    expect(verified.out).to.contain('NOT verified');
  });

  it('deposit, account status and the withdrawal notice', async () => {
    const dep = await nex(['rollup', 'deposit', ...common(), '--account', '3', '0.5']);
    expect(dep.err).to.equal('');
    expect(dep.out).to.match(/deposited 0\.5 ETH; balance 0\.5 ETH/);
    const req = await nex(['rollup', 'withdraw', ...common(), '--account', '3', '--request', '0.1']);
    expect(req.out).to.match(/withdrawal announced; executable from /);
    const st = await nex(['rollup', 'status', ...common(), '--account-of', rollup.address]);
    expect(st.out).to.match(/balance 0\.5 ETH \(free 0\.4\), nonce 0, withdrawal of 0\.1 ETH from /);
    const early = await nex(['rollup', 'withdraw', ...common(), '--account', '3']);
    expect(early.code).to.not.equal(0);
    expect(early.err).to.match(/can be executed from/);
    const offchain = await nex(
      [
        'rollup',
        'submit',
        ...common(),
        '--account',
        '3',
        '--channel',
        'offchain',
        '--program',
        vkHash,
        '--inputs',
        '5',
        '--proof',
        fakeProof(2),
      ],
      {
        NEX_RELAYS: '',
      },
    );
    expect(offchain.err).to.match(/needs relays: --relay <url> or \$NEX_RELAYS/);
  });
});

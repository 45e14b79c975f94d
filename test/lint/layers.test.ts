/**
 * The layer rule of eslint.config.js (docs/architecture.md, "Layers and dependency rules"), through
 * ESLint's Node API: small sources linted as if they lived at a product path must fail when they
 * bypass a face or reach a layer they may not depend on, and pass when they use the faces.
 */
import { expect } from 'chai';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('lint: layers and faces (eslint.config.js)', function () {
  this.timeout(120_000);
  const eslint = new ESLint({ cwd: ROOT });

  /** The messages ESLint reports for `code` placed at `filePath` (relative to the repository root). */
  async function lint(filePath: string, code: string): Promise<{ line: number; rule: string | null; message: string }[]> {
    const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${filePath}` });
    expect(result, 'ESLint linted the text').to.not.equal(undefined);
    return result!.messages.map((m) => ({ line: m.line, rule: m.ruleId, message: m.message }));
  }

  it('fails the CLI when it imports a keeper file instead of the keeper face', async () => {
    const errors = await lint(
      'prover/cli/commands/fixture.ts',
      "import { Keeper } from '../../keeper/daemon/keeper.js';\nexport { Keeper };\n",
    );
    expect(errors).to.have.length(1);
    expect(errors[0]!.rule).to.equal('no-restricted-imports');
    expect(errors[0]!.message).to.contain("prover/keeper is used through its face only: import 'prover/keeper/index.js'");
  });

  it('passes the CLI when it uses the faces', async () => {
    const code = [
      "import { Keeper } from '../../keeper/index.js';",
      "import { aggregateBatch } from '../../engine/index.js';",
      "import { openExampleBackend } from '../../toolchain/index.js';",
      "import { submit } from '../../sdk/index.js';",
      "import { statementDigest } from '../../protocol/index.js';",
      "import { aggregationMarketAbi } from '../../abi/generated.js';",
      "import { deployNex } from '../../../deploy/deploy.js';",
      'export { Keeper, aggregateBatch, openExampleBackend, submit, statementDigest, aggregationMarketAbi, deployNex };',
    ].join('\n');
    expect(await lint('prover/cli/commands/fixture.ts', code)).to.deep.equal([]);
  });

  it('sees type-only imports, re-exports and dynamic import() that bypass a face', async () => {
    const code = [
      "import type { BatchRow } from '../../keeper/db/keeperDb.js';",
      "export * from '../../sdk/actions/submit.js';",
      "export const load = () => import('../../engine/circuits/bb.js');",
      'export type { BatchRow };',
    ].join('\n');
    const errors = await lint('prover/cli/commands/fixture.ts', code);
    expect(errors.map((e) => [e.line, e.rule])).to.deep.equal([
      [1, 'no-restricted-imports'],
      [2, 'no-restricted-imports'],
      [3, 'no-restricted-syntax'],
    ]);
  });

  it('keeps each layer off the layers above it, even through their faces', async () => {
    const cases: [string, string, string][] = [
      [
        'prover/protocol/fixture.ts',
        "import { openBackend } from '../engine/index.js';",
        'the protocol layer may not depend on prover/engine',
      ],
      ['prover/engine/fixture.ts', "import { submit } from '../sdk/index.js';", 'the engine layer may not depend on prover/sdk'],
      [
        'prover/engine/circuits/fixture.ts',
        "import { ensureDevSrs } from '../../toolchain/index.js';",
        'the engine layer may not depend on prover/toolchain',
      ],
      ['prover/sdk/fixture.ts', "import { aggregateBatch } from '../engine/index.js';", 'the sdk layer may not depend on prover/engine'],
      [
        'prover/keeper/work/fixture.ts',
        "import { ensureDevSrs } from '../../toolchain/index.js';",
        'the keeper layer may not depend on prover/toolchain',
      ],
      ['prover/keeper/fixture.ts', "import { main } from '../cli/main.js';", 'the keeper layer may not depend on prover/cli'],
      ['deploy/fixture.ts', "import { runDemo } from '../prover/demo/run.js';", 'the deploy layer may not depend on prover/demo'],
      ['prover/sdk/fixture.ts', "import { x } from '../abi/v1-extra.js';", 'prover/abi is used through its face only'],
      // The frozen version-1 ABI was a temporary second face of prover/abi until every consumer moved to version 2.
      ['prover/sdk/fixture.ts', "import { aggregationMarketAbi } from '../abi/v1.js';", 'prover/abi is used through its face only'],
      ['prover/relay/fixture.ts', "import { submit } from '../sdk/index.js';", 'the relay layer may not depend on prover/sdk'],
      [
        'prover/relay/post/fixture.ts',
        "import { Keeper } from '../../keeper/index.js';",
        'the relay layer may not depend on prover/keeper',
      ],
      ['prover/relay/fixture.ts', "import { openBackend } from '../engine/backend.js';", 'prover/engine is used through its face only'],
      ['prover/keeper/fixture.ts', "import { startRelay } from '../relay/index.js';", 'the keeper layer may not depend on prover/relay'],
      [
        'prover/cli/commands/fixture.ts',
        "import { loadRelayConfig } from '../../relay/config.js';",
        'prover/relay is used through its face only',
      ],
      [
        'prover/explorer/fixture.ts',
        "import { aggregateBatch } from '../engine/index.js';",
        'the explorer layer may not depend on prover/engine',
      ],
      [
        'prover/explorer/chain/fixture.ts',
        "import { Metrics } from '../../keeper/obs/metrics.js';",
        'the explorer layer may not depend on prover/keeper',
      ],
      [
        'prover/keeper/fixture.ts',
        "import { startExplorer } from '../explorer/index.js';",
        'the keeper layer may not depend on prover/explorer',
      ],
      [
        'prover/cli/commands/fixture.ts',
        "import { startExplorer } from '../../explorer/start.js';",
        'prover/explorer is used through its face only',
      ],
    ];
    for (const [file, code, message] of cases) {
      const errors = await lint(file, `${code}\n`);
      expect(errors, file).to.have.length(1);
      expect(errors[0]!.message, file).to.contain(message);
    }
  });

  it('allows each layer its own files and the faces of the layers below', async () => {
    const cases: [string, string][] = [
      [
        'prover/protocol/fixture.ts',
        "import { FIELD_MODULUS } from './constants.js';\nimport { aggregationMarketAbi } from '../abi/generated.js';",
      ],
      [
        'prover/engine/circuits/fixture.ts',
        "import { statementDigest } from '../../protocol/index.js';\nimport { proveCircuit } from './bb.js';",
      ],
      [
        'prover/toolchain/srs/fixture.ts',
        "import { openDevSrs } from '../../engine/index.js';\nimport { ensurePatchedBb } from './bbCopy.js';",
      ],
      [
        'prover/keeper/work/fixture.ts',
        "import { aggregateBatch } from '../../engine/index.js';\nimport { deploymentsPath } from '../../sdk/index.js';\nimport { KeeperDb } from '../db/keeperDb.js';",
      ],
      [
        'scripts/fixture.ts',
        "import { deployMarket } from './lib/marketDeployment.js';\nimport { aggregateBatch } from '../prover/engine/index.js';",
      ],
      [
        'prover/relay/chain/fixture.ts',
        "import { aggregationMarketAbi } from '../../abi/generated.js';\nimport { v2 } from '../../protocol/index.js';\nimport { openBackend } from '../../engine/index.js';\nimport { redactUrl } from '../../telemetry/index.js';",
      ],
      ['prover/cli/commands/fixture.ts', "import { runRelay } from '../../relay/index.js';"],
      [
        'prover/explorer/chain/fixture.ts',
        "import { aggregationMarketAbi } from '../../abi/generated.js';\nimport { submissionId } from '../../protocol/index.js';\nimport { deploymentsPath } from '../../sdk/index.js';\nimport { ChainIndex } from '../index/chainIndex.js';",
      ],
      ['prover/cli/commands/fixture.ts', "import { startExplorer } from '../../explorer/index.js';"],
    ];
    for (const [file, code] of cases) expect(await lint(file, `${code}\n`), file).to.deep.equal([]);
  });

  it('keeps product code from importing test fixtures (scripts/benchGas.ts once did)', async () => {
    const errors = await lint('scripts/fixture.ts', "import { deployMarket } from '../test/market/fixture.js';\n");
    expect(errors).to.have.length(1);
    expect(errors[0]!.message).to.contain('product code may not import from test/');
  });

  it('finds no bypass in the product tree', async () => {
    const results = await eslint.lintFiles(['prover', 'deploy', 'scripts']);
    expect(results.length).to.be.greaterThan(100);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(problems).to.deep.equal([]);
  });
});

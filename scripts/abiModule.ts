/**
 * Renders prover/abi/generated.ts, the one ABI module of the TypeScript code (keeper, SDK, CLI,
 * devnet, demo), from Hardhat's build output: the full ABI of every contract the TS code talks to
 * (including the errors and events it inherits, so that reverts and logs decode), the ABI of
 * OpenZeppelin's IAccessControl for role checks across contracts, and the market's enums.
 * Pure apart from reading artifacts/: same artifacts in, same text out (no timestamps, no build ids).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NexError } from '../prover/protocol/index.js';

/** Where the generated module lives, relative to the project root. */
export const ABI_MODULE_PATH = 'prover/abi/generated.ts';

/** A contract whose ABI the module exports, by Hardhat source name and contract name. */
interface ContractAbi {
  readonly exportName: string;
  readonly source: string;
  readonly contract: string;
  readonly doc: string;
}

/** A Solidity enum exported as `{ Member: index }`, read from the AST of `source`. */
interface EnumValues {
  readonly exportName: string;
  readonly source: string;
  readonly canonicalName: string;
  readonly doc: string;
}

/** Contracts with an artifact of their own: the deployed protocol plus the example rollup. */
const CONTRACT_ABIS: readonly ContractAbi[] = [
  {
    exportName: 'aggregationMarketAbi',
    source: 'contracts/market/AggregationMarket.sol',
    contract: 'AggregationMarket',
    doc: 'programs, submissions, batches, refunds, earnings, admin.',
  },
  {
    exportName: 'proverStakingAbi',
    source: 'contracts/staking/ProverStaking.sol',
    contract: 'ProverStaking',
    doc: 'stake, operators, unstake queue, eligibility.',
  },
  {
    exportName: 'nexTokenAbi',
    source: 'contracts/token/NexToken.sol',
    contract: 'NexToken',
    doc: 'the NEX work token (ERC-20 with permit and burn).',
  },
  {
    exportName: 'verifierRouterAbi',
    source: 'contracts/router/VerifierRouter.sol',
    contract: 'VerifierRouter',
    doc: 'versioned aggregation verifiers.',
  },
  {
    exportName: 'exampleRollupAbi',
    source: 'contracts/examples/ExampleRollup.sol',
    contract: 'ExampleRollup',
    doc: 'the example rollup contract that finalizes state roots through the market.',
  },
];

/** Everything else is read from the build output of this contract's compilation. */
const ANCHOR = CONTRACT_ABIS[0]!;

/** Contracts without an artifact of their own (compiled as dependencies of the anchor). */
const DEPENDENCY_ABIS: readonly ContractAbi[] = [
  {
    exportName: 'accessControlAbi',
    source: '@openzeppelin/contracts/access/IAccessControl.sol',
    contract: 'IAccessControl',
    doc: 'role checks on any AccessControl contract (market, staking, router, timelock).',
  },
];

const ENUMS: readonly EnumValues[] = [
  {
    exportName: 'BatchState',
    source: 'contracts/interfaces/IAggregationMarket.sol',
    canonicalName: 'IAggregationMarketTypes.BatchState',
    doc: 'batch states as the market stores them (uint8 in the ABI).',
  },
  {
    exportName: 'SkipReason',
    source: 'contracts/interfaces/IAggregationMarket.sol',
    canonicalName: 'IAggregationMarketTypes.SkipReason',
    doc: 'why postBatch skipped a signed request (uint8 in the ABI).',
  },
];

export class AbiModuleError extends NexError {
  override readonly name = 'AbiModuleError';
}

/** Reads a JSON file below artifacts/ by its path relative to artifacts/. */
export type ArtifactReader = (relPath: string) => unknown;

/** The reader of `<root>/artifacts`; a missing file says how to produce it. */
export function artifactReader(root: string): ArtifactReader {
  return (relPath) => {
    const file = path.join(root, 'artifacts', relPath);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AbiModuleError(`cannot read ${file}: compile first (\`npm run abi\` builds, then generates)`, { cause: err });
    }
    return JSON.parse(text) as unknown;
  };
}

interface Artifact {
  abi: readonly unknown[];
  buildInfoId: string;
}

interface BuildOutput {
  output: {
    contracts: Record<string, Record<string, { abi?: readonly unknown[] }>>;
    sources: Record<string, { ast?: unknown }>;
  };
}

function artifactOf(read: ArtifactReader, c: ContractAbi): Artifact {
  const a = read(`${c.source}/${c.contract}.json`) as Partial<Artifact> | null;
  if (!a || !Array.isArray(a.abi) || typeof a.buildInfoId !== 'string') {
    throw new AbiModuleError(`artifact of ${c.source}:${c.contract} has no abi or buildInfoId`);
  }
  return { abi: a.abi, buildInfoId: a.buildInfoId };
}

/**
 * Hardhat 3 names sources in build output `project/<path>` and `npm/<package>@<version>/<path>`;
 * this maps both back to the import path (`contracts/...`, `@openzeppelin/contracts/...`).
 */
export function plainSourceName(buildSourceName: string): string {
  return buildSourceName.replace(/^project\//, '').replace(/^npm\/((?:@[^/]+\/)?[^@/]+)@[^/]+\//, '$1/');
}

function buildSource<T>(record: Record<string, T>, source: string, what: string): T {
  const key = Object.keys(record).find((k) => plainSourceName(k) === source);
  if (key === undefined) throw new AbiModuleError(`${source} is not in the build output of ${ANCHOR.contract} (${what})`);
  return record[key]!;
}

function enumMembers(ast: unknown, canonicalName: string): string[] | undefined {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const n = node as { nodeType?: unknown; canonicalName?: unknown; members?: { name: string }[] };
    if (n.nodeType === 'EnumDefinition' && n.canonicalName === canonicalName && Array.isArray(n.members)) {
      return n.members.map((m) => m.name);
    }
    stack.push(...Object.values(node));
  }
  return undefined;
}

/** One ABI item a line: a contract change shows as a one-line diff. */
function renderAbi(c: ContractAbi, abi: readonly unknown[]): string {
  const items = abi.map((item) => `  ${JSON.stringify(item)},`).join('\n');
  return `/** ${c.contract} (${c.source}): ${c.doc} */\nexport const ${c.exportName} = [\n${items}\n] as const;\n`;
}

function renderEnum(e: EnumValues, members: readonly string[]): string {
  const fields = members.map((m, i) => `${m}: ${i}`).join(', ');
  return `/** ${e.canonicalName}: ${e.doc} */\nexport const ${e.exportName} = { ${fields} } as const;\n`;
}

const HEADER = `// GENERATED by scripts/generateAbi.ts from the Hardhat artifacts: do not edit.
// After changing a contract, run \`npm run abi\` (compiles, then rewrites this file) and commit it.
// test/abi/generated.test.ts fails while this file differs from what the artifacts give.
`;

/** The text of prover/abi/generated.ts for the artifacts `read` sees. */
export function renderAbiModule(read: ArtifactReader): string {
  const parts: string[] = [HEADER];
  const anchor = artifactOf(read, ANCHOR);
  for (const c of CONTRACT_ABIS) parts.push(renderAbi(c, c === ANCHOR ? anchor.abi : artifactOf(read, c).abi));
  const build = read(`build-info/${anchor.buildInfoId}.output.json`) as BuildOutput;
  for (const c of DEPENDENCY_ABIS) {
    const abi = buildSource(build.output.contracts, c.source, c.contract)[c.contract]?.abi;
    if (!abi) throw new AbiModuleError(`no ABI for ${c.source}:${c.contract} in the build output of ${ANCHOR.contract}`);
    parts.push(renderAbi(c, abi));
  }
  for (const e of ENUMS) {
    const members = enumMembers(buildSource(build.output.sources, e.source, e.canonicalName).ast, e.canonicalName);
    if (!members) throw new AbiModuleError(`enum ${e.canonicalName} not found in the AST of ${e.source}`);
    parts.push(renderEnum(e, members));
  }
  return parts.join('\n');
}

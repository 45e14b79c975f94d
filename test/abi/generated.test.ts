import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ABI_MODULE_PATH,
  AbiModuleError,
  artifactReader,
  plainSourceName,
  renderAbiModule,
  type ArtifactReader,
} from '../../scripts/abiModule.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MARKET = 'contracts/market/AggregationMarket.sol/AggregationMarket.json';

type AbiItem = { type: string; name?: string; inputs?: { name: string }[] };

/** Where `have` and `want` first differ: the line (1-based) and both versions around the first differing character. */
function firstDifference(have: string, want: string): string {
  const a = have.split('\n');
  const b = want.split('\n');
  const at = a.findIndex((line, k) => line !== b[k]);
  const line = at === -1 ? a.length : at;
  const x = a[line] ?? '';
  const y = b[line] ?? '';
  let c = 0;
  while (c < x.length && x[c] === y[c]) c++;
  const around = (t: string) => (t === '' ? '<nothing>' : `${c > 60 ? '…' : ''}${t.slice(Math.max(0, c - 60), c + 100)}`);
  return `line ${line + 1}:\n  committed: ${around(x)}\n  artifacts: ${around(y)}`;
}

type BuildOutput = { output: { contracts: Record<string, unknown>; sources: Record<string, unknown> } };

/** The reader of the real artifacts, with the files `match` picks passed through `edit` (on a copy). */
function editing<T>(match: (rel: string) => boolean, edit: (json: T) => T): ArtifactReader {
  const real = artifactReader(ROOT);
  return (rel) => (match(rel) ? edit(structuredClone(real(rel)) as T) : real(rel));
}
const isMarket = (rel: string) => rel === MARKET;
const isBuildOutput = (rel: string) => rel.startsWith('build-info/');
/** Build output without the sources (and their contracts) whose name ends with `suffix`. */
const withoutSource =
  (suffix: string) =>
  (b: BuildOutput): BuildOutput => {
    const keep = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.endsWith(suffix)));
    return { output: { contracts: keep(b.output.contracts), sources: keep(b.output.sources) } };
  };

describe('generated ABI module (prover/abi/generated.ts)', () => {
  const committed = readFileSync(path.join(ROOT, ABI_MODULE_PATH), 'utf8');

  // `hardhat test` compiles first, so the artifacts are those of the current contracts.
  it('is what `npm run abi` writes for the current artifacts', () => {
    const fresh = renderAbiModule(artifactReader(ROOT));
    if (fresh !== committed) {
      expect.fail(
        `${ABI_MODULE_PATH} is out of date with the compiled contracts: run \`npm run abi\` and commit the result ` +
          `(first difference at ${firstDifference(committed, fresh)})`,
      );
    }
  });

  it('renders the same text twice (deterministic)', () => {
    expect(renderAbiModule(artifactReader(ROOT))).to.equal(renderAbiModule(artifactReader(ROOT)));
  });

  it('differs from the committed file, on the changed item only, when a market event changes', () => {
    const dropLast = (abi: AbiItem[]) =>
      abi.map((i) => (i.type === 'event' && i.name === 'MarketBatchLocked' ? { ...i, inputs: i.inputs!.slice(0, -1) } : i));
    const changed = renderAbiModule(editing(isMarket, (a: { abi: AbiItem[] }) => ({ ...a, abi: dropLast(a.abi) }))).split('\n');
    const lines = committed.split('\n');
    expect(changed).to.have.length(lines.length);
    const diff = lines.flatMap((line, k) => (line === changed[k] ? [] : [line]));
    expect(diff).to.have.length(1);
    expect(diff[0]).to.match(/"name":"MarketBatchLocked","type":"event"/);
  });

  it('keeps the inherited and interface errors the SDK and keeper decode', () => {
    const market = JSON.parse(readFileSync(path.join(ROOT, 'artifacts', MARKET), 'utf8')) as { abi: AbiItem[] };
    const errors = market.abi.filter((i) => i.type === 'error').map((i) => i.name!);
    expect(errors).to.include.members([
      'EnforcedPause',
      'AccessControlUnauthorizedAccount',
      'MarketFeeBelowFloor',
      'MarketUnknownProgram',
      'MarketSettlementMismatch',
    ]);
    for (const name of errors) expect(committed).to.contain(`"name":"${name}","type":"error"`);
  });

  it('exports the market enums with their Solidity member order', () => {
    expect(committed).to.contain(
      'export const BatchState = { None: 0, Open: 1, Sealed: 2, Locked: 3, Fulfilled: 4, Closed: 5, Released: 6, Expired: 7 } as const;',
    );
    expect(committed).to.contain(
      'export const SkipReason = { BadSignature: 0, Expired: 1, StaleNonce: 2, UnknownProgram: 3, FeeBelowFloor: 4, InvalidStatements: 5, InsufficientBalance: 6 } as const;',
    );
  });

  describe('failure paths', () => {
    it('says to compile when an artifact is missing', () => {
      const empty = artifactReader(path.join(ROOT, 'test', 'abi', 'no-such-root'));
      expect(() => renderAbiModule(empty)).to.throw(AbiModuleError, /AggregationMarket\.json: compile first \(`npm run abi`/);
    });

    it('rejects an artifact without abi or build id', () => {
      const broken = editing(
        (rel) => rel.endsWith('/ProverStaking.json'),
        () => ({ abi: [] }),
      );
      expect(() => renderAbiModule(broken)).to.throw(AbiModuleError, /ProverStaking\.sol:ProverStaking has no abi or buildInfoId/);
    });

    it('fails when a dependency is not in the build output', () => {
      expect(() => renderAbiModule(editing(isBuildOutput, withoutSource('/IAccessControl.sol')))).to.throw(
        AbiModuleError,
        /@openzeppelin\/contracts\/access\/IAccessControl\.sol is not in the build output of AggregationMarket/,
      );
    });

    it('fails when an enum is not in the AST of its source', () => {
      const emptyAst = (b: BuildOutput): BuildOutput => {
        const key = Object.keys(b.output.sources).find((k) => k.endsWith('/IAggregationMarket.sol'))!;
        b.output.sources[key] = { ast: { nodeType: 'SourceUnit', nodes: [] } };
        return b;
      };
      expect(() => renderAbiModule(editing(isBuildOutput, emptyAst))).to.throw(
        AbiModuleError,
        /enum IAggregationMarketTypes\.BatchState not found/,
      );
    });
  });

  it('maps Hardhat build source names back to import paths', () => {
    expect(plainSourceName('project/contracts/market/AggregationMarket.sol')).to.equal('contracts/market/AggregationMarket.sol');
    expect(plainSourceName('npm/@openzeppelin/contracts@5.7.0/access/IAccessControl.sol')).to.equal(
      '@openzeppelin/contracts/access/IAccessControl.sol',
    );
    expect(plainSourceName('npm/solady@0.1.0/src/tokens/ERC20.sol')).to.equal('solady/src/tokens/ERC20.sol');
  });
});

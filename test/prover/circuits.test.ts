/**
 * The circuits' commitment logic (keccak256 sponge, statement digest, Merkle parent, zero subtrees,
 * 128-bit halves) against viem's keccak256 and the TypeScript reference. These tests execute the
 * circuits with noir_js (witness generation checks every constraint except the recursive proof
 * verification), so they need neither the SRS nor proofs.
 */
import { expect } from 'chai';
import type { InputMap } from '@noir-lang/noir_js';
import { concat, keccak256 } from 'viem';
import { readFileSync } from 'node:fs';
import {
  CIRCUIT_PACKAGES,
  expectedPublicInputs,
  leafInputs,
  nodeInputs,
  noirExecutor,
  padInputs,
  REPO_ROOT,
  type HeaderInputs,
  type Hex,
  type RollupProof,
} from '../../prover/engine/index.js';
import {
  addressToField,
  aggregationPublicInputs,
  FIELD_MODULUS as R,
  hashPair,
  joinRoot,
  splitRoot,
  statementDigest,
  toWord,
  zeroSubtree,
} from '../../prover/protocol/index.js';
import { compileNoirPackage, type CompiledProgram } from '../../prover/toolchain/index.js';

const KEY_HASHES: Hex[] = [11n, 22n, 33n, 44n, 55n].map(toWord);
const PROVER = toWord(0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n);

async function execute(program: CompiledProgram, inputs: InputMap): Promise<unknown> {
  const { returnValue } = await noirExecutor(program).execute(inputs);
  return returnValue;
}

async function executionError(program: CompiledProgram, inputs: InputMap): Promise<string> {
  try {
    await execute(program, inputs);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('execution succeeded but was expected to fail');
}

/** A rollup proof whose cryptographic parts are dummies: execution does not check recursive proofs. */
function dummyRollup(vkHash: Hex, publicInputs: Hex[]): RollupProof {
  return { vk: new Uint8Array(115 * 32), vkHash, proof: new Uint8Array(458 * 32), publicInputs };
}

/** A 32-byte word as the { hi, lo } struct of the Noir circuits. */
const halves = (w: Hex): { hi: Hex; lo: Hex } => {
  const [hi, lo] = splitRoot(w);
  return { hi, lo };
};

const header = (root: Hex, overrides: Partial<HeaderInputs> = {}): HeaderInputs => ({
  root,
  prover: PROVER,
  keyHashes: KEY_HASHES,
  ...overrides,
});

describe('circuits: keccak256 sponge and commitment helpers (nex_lib) vs viem', function () {
  this.timeout(120_000);
  let vectors: CompiledProgram;
  const data = Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 255);
  const lengths = [0, 1, 31, 32, 64, 96, 135, 136, 137, 160, 271, 272, 273, 300];
  const vkHash = toWord(R - 1n);
  const pis = [toWord(0n), toWord(R - 1n), toWord(1n << 200n), toWord(12345n)];
  const left = keccak256('0x01');
  const right = keccak256('0x02');
  let hashes: number[][];
  let roots: { hi: string; lo: string }[];

  before(async () => {
    vectors = await compileNoirPackage('tests/keccak_vectors');
    const out = (await execute(vectors, {
      data: data.map(String),
      vk_hash: vkHash,
      public_inputs: pis,
      left: halves(left),
      right: halves(right),
    })) as [string[][], { hi: string; lo: string }[]];
    hashes = out[0].map((h) => h.map((b) => Number(BigInt(b))));
    roots = out[1];
  });

  it('hashes messages of every length around the 136-byte rate like viem', () => {
    lengths.forEach((n, i) => {
      const got = `0x${Buffer.from(hashes[i]!).toString('hex')}`;
      expect(got, `length ${n}`).to.equal(keccak256(Uint8Array.from(data.slice(0, n))));
    });
  });

  it('computes statement digests for 1, 2 and 4 public inputs like viem, split into 128-bit halves', () => {
    [1, 2, 4].forEach((n, i) => {
      const expected = keccak256(concat([vkHash, ...pis.slice(0, n)]));
      expect(joinRoot(roots[i]!.hi, roots[i]!.lo), `${n} public inputs`).to.equal(expected);
      expect(statementDigest(vkHash, pis.slice(0, n))).to.equal(expected);
    });
  });

  it('computes the Merkle parent keccak256(left || right) like viem', () => {
    expect(joinRoot(roots[3]!.hi, roots[3]!.lo)).to.equal(keccak256(concat([left, right])));
    expect(hashPair(left, right)).to.equal(keccak256(concat([left, right])));
  });
});

describe('circuits: digest and root logic of leaf1/leaf2/leaf4, pad and node (executed)', function () {
  this.timeout(180_000);
  const programs = {} as Record<'leaf1' | 'leaf2' | 'leaf4' | 'pad' | 'node', CompiledProgram>;
  const vkHash = toWord(0x1d5a0c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123n);

  before(async () => {
    for (const name of ['leaf1', 'leaf2', 'leaf4', 'pad', 'node'] as const)
      programs[name] = await compileNoirPackage(CIRCUIT_PACKAGES[name]);
  });

  for (const [name, n] of [
    ['leaf1', 1],
    ['leaf2', 2],
    ['leaf4', 4],
  ] as const) {
    it(`${name} accepts exactly the statement digest of its rollup statement`, async () => {
      const publicInputs = Array.from({ length: n }, (_, i) => toWord(R - 1n - BigInt(i) * 7919n));
      const rollup = dummyRollup(vkHash, publicInputs);
      const digest = keccak256(concat([vkHash, ...publicInputs]));
      await execute(programs[name], leafInputs(header(digest), rollup));
      const wrongLo = toWord(BigInt(digest) ^ 1n);
      expect(await executionError(programs[name], leafInputs(header(wrongLo), rollup))).to.contain('root low half mismatch');
      const wrongHi = toWord(BigInt(digest) ^ (1n << 255n));
      expect(await executionError(programs[name], leafInputs(header(wrongHi), rollup))).to.contain('root high half mismatch');
      // The digest binds the vkHash and each public input.
      const otherKey = dummyRollup(toWord(BigInt(vkHash) + 1n), publicInputs);
      expect(await executionError(programs[name], leafInputs(header(digest), otherKey))).to.contain('mismatch');
      const otherPi = dummyRollup(vkHash, [toWord(BigInt(publicInputs[0]!) - 1n), ...publicInputs.slice(1)]);
      expect(await executionError(programs[name], leafInputs(header(digest), otherPi))).to.contain('mismatch');
    });
  }

  it('leaf rejects a prover value that is not a 160-bit address', async () => {
    const rollup = dummyRollup(vkHash, [toWord(5n)]);
    const digest = statementDigest(vkHash, [toWord(5n)]);
    const msg = await executionError(programs.leaf1, leafInputs(header(digest, { prover: toWord(1n << 160n) }), rollup));
    expect(msg).to.contain('call to assert_max_bit_size');
  });

  it('pad accepts Z_h for h = 0..5 (Z_0 = 0, Z_h+1 = keccak(Z_h || Z_h)) and nothing else', async () => {
    let z: Hex = toWord(0n);
    for (let h = 0; h <= 5; h++) {
      expect(zeroSubtree(h)).to.equal(z);
      await execute(programs.pad, padInputs(header(z), h));
      const wrongHeight = (h + 1) % 6;
      expect(await executionError(programs.pad, padInputs(header(z), wrongHeight))).to.contain('mismatch');
      z = keccak256(concat([z, z]));
    }
    expect(await executionError(programs.pad, padInputs(header(z), 6))).to.contain('pad height out of range');
  });

  it('node accepts exactly keccak256(left || right) and only pinned child key hashes', async () => {
    const l = keccak256('0xaa');
    const r = keccak256('0xbb');
    const child = (root: Hex, keyHash: Hex) => ({
      circuit: { vkFields: Array<Hex>(115).fill(toWord(0n)), vkHash: keyHash },
      proof: new Uint8Array(458 * 32),
      root,
    });
    const parent = keccak256(concat([l, r]));
    await execute(programs.node, nodeInputs(header(parent), child(l, KEY_HASHES[0]!), child(r, KEY_HASHES[4]!)));
    // Order matters.
    const swapped = keccak256(concat([r, l]));
    expect(await executionError(programs.node, nodeInputs(header(swapped), child(l, KEY_HASHES[0]!), child(r, KEY_HASHES[4]!)))).to.contain(
      'mismatch',
    );
    // Every pinned key hash is accepted on either side; anything else is not.
    for (const kh of KEY_HASHES) await execute(programs.node, nodeInputs(header(parent), child(l, kh), child(r, kh)));
    const foreign = toWord(66n);
    expect(await executionError(programs.node, nodeInputs(header(parent), child(l, foreign), child(r, KEY_HASHES[1]!)))).to.contain(
      'not one of the pinned',
    );
    expect(await executionError(programs.node, nodeInputs(header(parent), child(l, KEY_HASHES[1]!), child(r, foreign)))).to.contain(
      'not one of the pinned',
    );
  });

  it('node rejects child roots whose halves are not 128-bit', async () => {
    // (hi, lo) = (0, 2^128) would alias the root 2^128 = (1, 0) if halves were not range-checked.
    const child = (hi: bigint, lo: bigint) => ({
      vk: Array<Hex>(115).fill(toWord(0n)),
      key_hash: KEY_HASHES[0]!,
      proof: Array<Hex>(458).fill(toWord(0n)),
      root: { hi: toWord(hi), lo: toWord(lo) },
    });
    const parent = keccak256(concat([toWord(1n << 128n), toWord(1n << 128n)]));
    const [hi, lo] = splitRoot(parent);
    const inputs: InputMap = {
      root_hi: hi,
      root_lo: lo,
      prover: PROVER,
      key_hashes: KEY_HASHES,
      left: child(0n, 1n << 128n),
      right: child(1n, 0n),
    };
    const msg = await executionError(programs.node, inputs);
    expect(msg).to.contain('failed to decompose into specified 16 limbs');
    // The same root with well-formed halves is accepted.
    await execute(programs.node, { ...inputs, left: child(1n, 0n) });
  });
});

interface VectorCase {
  name: string;
  capacity: number;
  excludedMask: number;
  slots: { vkHash: Hex; publicInputs: Hex[]; digest: Hex }[];
  leaves: Hex[];
  root: Hex;
  rootHi: Hex;
  rootLo: Hex;
  prover: Hex;
  keyHashes: Hex[];
  aggregationPublicInputs: Hex[];
}

describe('circuits: shared commitment vectors (test/vectors/commitment.json) through leaf, pad and node', function () {
  this.timeout(300_000);
  const vectors = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/commitment.json`, 'utf8')) as { cases: VectorCase[] };
  const programs = {} as Record<'leaf1' | 'leaf2' | 'leaf4' | 'pad' | 'node', CompiledProgram>;

  before(async () => {
    for (const name of ['leaf1', 'leaf2', 'leaf4', 'pad', 'node'] as const)
      programs[name] = await compileNoirPackage(CIRCUIT_PACKAGES[name]);
  });

  it('has cases to check', () => {
    expect(vectors.cases.length).to.be.greaterThan(5);
  });

  for (const c of vectors.cases) {
    it(`${c.name}: leaves commit the slot digests, pads and nodes rebuild the batch root`, async () => {
      const h = (root: Hex): HeaderInputs => ({ root, prover: addressToField(c.prover), keyHashes: c.keyHashes });
      // Every included slot: the leaf circuit for its public-input count accepts exactly its digest.
      let included = 0;
      for (const [i, slot] of c.slots.entries()) {
        const excluded = ((c.excludedMask >>> i) & 1) === 1;
        expect(c.leaves[i]).to.equal(excluded ? toWord(0n) : slot.digest);
        if (excluded) continue;
        const leaf = ({ 1: 'leaf1', 2: 'leaf2', 4: 'leaf4' } as const)[slot.publicInputs.length as 1 | 2 | 4];
        expect(leaf, `no leaf circuit for ${slot.publicInputs.length} public inputs`).to.not.equal(undefined);
        await execute(programs[leaf], leafInputs(h(slot.digest), dummyRollup(slot.vkHash, slot.publicInputs)));
        included++;
      }
      expect(included).to.be.greaterThan(0);
      // The tree the prover builds: pads over maximal zero subtrees, nodes elsewhere.
      const prove = async (leaves: Hex[]): Promise<Hex> => {
        if (leaves.every((l) => BigInt(l) === 0n)) {
          const height = Math.log2(leaves.length);
          await execute(programs.pad, padInputs(h(zeroSubtree(height)), height));
          return zeroSubtree(height);
        }
        if (leaves.length === 1) return leaves[0]!;
        const left = await prove(leaves.slice(0, leaves.length / 2));
        const right = await prove(leaves.slice(leaves.length / 2));
        const parent = hashPair(left, right);
        const dummyChild = (root: Hex) => ({
          circuit: { vkFields: Array<Hex>(115).fill(toWord(0n)), vkHash: c.keyHashes[4]! },
          proof: new Uint8Array(458 * 32),
          root,
        });
        await execute(programs.node, nodeInputs(h(parent), dummyChild(left), dummyChild(right)));
        return parent;
      };
      expect(await prove(c.leaves)).to.equal(c.root);
      expect(splitRoot(c.root)).to.deep.equal([c.rootHi, c.rootLo]);
      // The public inputs the engine builds are the vectors' aggregation public inputs.
      const art = {
        keyHashes: { leaf1: c.keyHashes[0]!, leaf2: c.keyHashes[1]!, leaf4: c.keyHashes[2]!, pad: c.keyHashes[3]!, node: c.keyHashes[4]! },
      };
      expect(expectedPublicInputs(art, c.root, c.prover)).to.deep.equal(c.aggregationPublicInputs);
      expect(aggregationPublicInputs(c.root, c.prover, c.keyHashes)).to.deep.equal(c.aggregationPublicInputs);
    });
  }
});

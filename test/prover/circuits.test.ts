/**
 * The version-2 circuits (prover/circuits) against the TypeScript side: the keccak sponge and the
 * commitment format (program id, domain-separated digest, parent, zero subtrees) against viem and
 * prover/protocol, the key set (poseidon2 pair hash, depth-4 tree) against bb.js's poseidon2Hash and a
 * stored vector, each circuit's rejections, and the shared commitment vectors planned by the engine and
 * run through every leaf, pad and node of the plan. The circuits are executed with noir_js (every
 * constraint except the recursive proof verifications), so no proof is made; bb is started only for
 * poseidon2Hash.
 */
import { bn254 } from '@noble/curves/bn254';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Barretenberg } from '@aztec/bb.js';
import type { InputMap } from '@noir-lang/noir_js';
import { type Address, type Hex, bytesToHex, concat, hexToBytes, keccak256, numberToHex, stringToHex } from 'viem';
import {
  bbHash2,
  CIRCUIT_PACKAGES,
  expectedPublicInputs,
  noirExecutor,
  nodeInputs,
  padInputs,
  pairLeafInputs,
  planBatch,
  REPO_ROOT,
  rollupDigest,
  singleLeafInputs,
  startBarretenberg,
  type Batch,
  type HeaderInputs,
  type NodeChild,
  type RollupProof,
} from '../../prover/engine/index.js';
import {
  AGG_CIRCUITS,
  AGG_PROOF_FIELDS,
  FIELD_MODULUS,
  ROLLUP_PROOF_FIELDS,
  STATEMENT_DOMAIN,
  VK_FIELDS,
  ZERO_LEAF,
  aggregationPublicInputs,
  buildKeySet,
  hashPair,
  keySetPath,
  keySetRootFromPath,
  pairLeafFor,
  programIdOf,
  splitRoot,
  statementDigest,
  zeroSubtree,
  type AggCircuit,
  type KeySet,
} from '../../prover/protocol/index.js';
import { compileNoirPackage, ensureDevSrs, type CompiledProgram } from '../../prover/toolchain/index.js';
import type { CommitmentVectors } from '../../scripts/commitmentVectors.js';
import { forgeKzgOpening, G1_PROOF_FIELDS, isOnCurve, readPoint, writePoint } from './forgery.js';

const R = FIELD_MODULUS;
const word = (v: bigint): Hex => numberToHex(v, { size: 32 });
const PROVER: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const OWNER: Address = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const VK_HASH = word(0x1d5a0c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123n);

async function execute(program: CompiledProgram, inputs: InputMap): Promise<unknown> {
  return (await noirExecutor(program).execute(inputs)).returnValue;
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
function dummyRollup(publicInputs: Hex[], owner: Address = OWNER, vkHash: Hex = VK_HASH): RollupProof {
  return { vk: new Uint8Array(VK_FIELDS * 32), vkHash, proof: new Uint8Array(ROLLUP_PROOF_FIELDS * 32), publicInputs, owner };
}

const halves = (w: Hex): { hi: Hex; lo: Hex } => {
  const [hi, lo] = splitRoot(w);
  return { hi, lo };
};

interface KeySetVector {
  pairs: { a: Hex; b: Hex; hash: Hex }[];
  keyHashes: Record<AggCircuit, Hex>;
  root: Hex;
}
const keySetVector = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/key-set.json`, 'utf8')) as KeySetVector;

describe('circuits: keccak256 sponge (nex_lib) vs viem', function () {
  this.timeout(120_000);

  it('hashes messages of every length around the 136-byte rate like viem', async () => {
    const program = await compileNoirPackage('tests/keccak_vectors');
    const data = Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 255);
    const lengths = [0, 1, 31, 32, 64, 96, 128, 135, 136, 137, 160, 192, 271, 272, 273, 300];
    const hashes = ((await execute(program, { data: data.map(String) })) as string[][]).map((h) => h.map((b) => Number(BigInt(b))));
    lengths.forEach((n, i) => {
      expect(`0x${Buffer.from(hashes[i]!).toString('hex')}`, `length ${n}`).to.equal(keccak256(Uint8Array.from(data.slice(0, n))));
    });
  });
});

describe('circuits: commitment format and key set (nex_lib) vs viem, prover/protocol and bb.js', function () {
  this.timeout(300_000);
  let program: CompiledProgram;
  let bb: Barretenberg;
  let keySet: KeySet;

  before(async () => {
    program = await compileNoirPackage('tests/vectors');
    bb = await startBarretenberg(await ensureDevSrs());
    keySet = await buildKeySet(keySetVector.keyHashes, bbHash2(bb));
  });

  after(async () => {
    await bb?.destroy();
  });

  interface Out {
    roots: { hi: string; lo: string }[];
    fields: string[];
  }
  const baseInputs = (): InputMap => ({
    owner: word(BigInt(OWNER)),
    vk_hash: VK_HASH,
    public_inputs: [word(0n), word(R - 1n), word(1n << 200n), word(12345n)],
    left: halves(keccak256('0x01')),
    right: halves(keccak256('0x02')),
    pair: [word(1n), word(2n)],
    key_hashes: AGG_CIRCUITS.map((c) => keySetVector.keyHashes[c]),
    member: keySetVector.keyHashes.pad,
    path: { index: '9', siblings: [...keySetPath(keySet, 'pad').siblings] },
  });
  const run = async (overrides: InputMap = {}): Promise<Out> => {
    const [roots, fields] = (await execute(program, { ...baseInputs(), ...overrides })) as [Out['roots'], string[]];
    return { roots, fields };
  };
  const joined = (r: { hi: string; lo: string }): Hex => word((BigInt(r.hi) << 128n) | BigInt(r.lo));

  it('uses keccak256("NEX.statement.v2") as the statement domain', () => {
    expect(STATEMENT_DOMAIN).to.equal('0xfc6982d08372d42ae8dd44bfc8c30777d63b29ccd74d3694daab9639f820a2f2');
    expect(STATEMENT_DOMAIN).to.equal(keccak256(stringToHex('NEX.statement.v2')));
  });

  it('computes program ids, digests for 1, 2 and 4 public inputs and parents like viem and prover/protocol', async () => {
    const pis: Hex[] = [word(0n), word(R - 1n), word(1n << 200n), word(12345n)];
    const { roots } = await run();
    const id = keccak256(concat([word(BigInt(OWNER)), VK_HASH]));
    expect(programIdOf(OWNER, VK_HASH)).to.equal(id);
    expect(joined(roots[0]!)).to.equal(id);
    [1, 2, 4].forEach((n, i) => {
      const expected = keccak256(concat([STATEMENT_DOMAIN, id, ...pis.slice(0, n)]));
      expect(joined(roots[1 + i]!), `${n} public inputs`).to.equal(expected);
      expect(statementDigest(id, pis.slice(0, n))).to.equal(expected);
    });
    const l = keccak256('0x01');
    const r = keccak256('0x02');
    expect(joined(roots[4]!)).to.equal(keccak256(concat([l, r])));
    expect(joined(roots[5]!)).to.equal(hashPair(l, r));
    expect(joined(roots[6]!)).to.equal(hashPair(r, l));
  });

  it('refuses an owner that is not a 160-bit address', async () => {
    expect(await executionError(program, { ...baseInputs(), owner: word(1n << 160n) })).to.contain('assert_max_bit_size');
  });

  it('hashes pairs with poseidon2 exactly like bb.js poseidon2Hash (and the stored vector)', async () => {
    const hash2 = bbHash2(bb);
    for (const { a, b, hash } of keySetVector.pairs) {
      expect(await hash2(a, b), `bb ${a}, ${b}`).to.equal(hash);
      const { fields } = await run({ pair: [a, b] });
      expect(word(BigInt(fields[0]!)), `noir ${a}, ${b}`).to.equal(hash);
    }
    expect(await hash2(word(1n), word(2n))).to.not.equal(await hash2(word(2n), word(1n)));
  });

  it("bb.js poseidon2Hash is the sponge of Noir std's Poseidon2 hasher (its own known digest of [1..5])", async () => {
    // noir_stdlib hash/poseidon2.nr, test finish_ref_matches_known_digest: Poseidon2Hasher over 1, 2, 3, 4, 5.
    const inputs = [1n, 2n, 3n, 4n, 5n].map((v) => hexToBytes(word(v)));
    const { hash } = await bb.poseidon2Hash({ inputs });
    expect(bytesToHex(hash)).to.equal('0x2247be7014a54d17342a7ef677f58d28877780d203860396967f5d0a18d259db');
  });

  it('builds the key-set root in prover/protocol equal to the circuit library and the stored vector', async () => {
    expect(keySet.root).to.equal(keySetVector.root);
    const { fields } = await run();
    expect(word(BigInt(fields[1]!))).to.equal(keySetVector.root);
  });

  it('opens every one of the 11 key hashes to the root along its path (circuit and TypeScript), and nothing else', async () => {
    for (const circuit of AGG_CIRCUITS) {
      const path = keySetPath(keySet, circuit);
      expect(await keySetRootFromPath(keySetVector.keyHashes[circuit], path, bbHash2(bb)), circuit).to.equal(keySetVector.root);
      const { fields } = await run({
        member: keySetVector.keyHashes[circuit],
        path: { index: String(path.index), siblings: [...path.siblings] },
      });
      expect(word(BigInt(fields[2]!)), circuit).to.equal(keySetVector.root);
    }
    // A key hash on another circuit's path reaches another root.
    const leafPath = keySetPath(keySet, 'leaf_1');
    const { fields } = await run({
      member: keySetVector.keyHashes.node,
      path: { index: String(leafPath.index), siblings: [...leafPath.siblings] },
    });
    expect(word(BigInt(fields[2]!))).to.not.equal(keySetVector.root);
    // The 5 zero leaves (indices 11..15) cannot be opened.
    const zeroSiblings = [word(0n), keySet.levels[1]![4]!, keySet.levels[2]![3]!, keySet.levels[3]![0]!];
    expect(keySet.levels[0]![11]).to.equal(ZERO_LEAF);
    const msg = await executionError(program, { ...baseInputs(), member: word(0n), path: { index: '11', siblings: zeroSiblings } });
    expect(msg).to.contain('key-set index out of range');
  });
});

describe('circuits: leaf, pair leaf, pad and node logic (executed)', function () {
  this.timeout(300_000);
  const programs = {} as Record<AggCircuit, CompiledProgram>;
  let bb: Barretenberg;
  let keySet: KeySet;
  const header = (root: Hex, overrides: Partial<HeaderInputs> = {}): HeaderInputs => ({
    root,
    prover: PROVER,
    keySet: keySet.root,
    ...overrides,
  });

  before(async () => {
    for (const name of AGG_CIRCUITS) programs[name] = await compileNoirPackage(CIRCUIT_PACKAGES[name]);
    bb = await startBarretenberg(await ensureDevSrs());
    keySet = await buildKeySet(keySetVector.keyHashes, bbHash2(bb));
  });

  after(async () => {
    await bb?.destroy();
  });

  const inputsOf = (n: number, seed: bigint): Hex[] => Array.from({ length: n }, (_, i) => word(R - 1n - seed * 7919n - BigInt(i)));

  for (const [name, n] of [
    ['leaf_1', 1],
    ['leaf_2', 2],
    ['leaf_4', 4],
  ] as const) {
    it(`${name} commits keccak(d || 0) or keccak(0 || d) by its side bit, d bound to owner, key and inputs`, async () => {
      const rollup = dummyRollup(inputsOf(n, 1n));
      const d = statementDigest(programIdOf(OWNER, VK_HASH), rollup.publicInputs);
      expect(rollupDigest(rollup)).to.equal(d);
      const leftRoot = hashPair(d, ZERO_LEAF);
      const rightRoot = hashPair(ZERO_LEAF, d);
      await execute(programs[name], singleLeafInputs(header(leftRoot), rollup, false));
      await execute(programs[name], singleLeafInputs(header(rightRoot), rollup, true));
      expect(await executionError(programs[name], singleLeafInputs(header(leftRoot), rollup, true))).to.contain('mismatch');
      // The bare digest (a height-0 value) is never a leaf's root.
      expect(await executionError(programs[name], singleLeafInputs(header(d), rollup, false))).to.contain('mismatch');
      // Another owner is another program: another digest.
      const squatter = dummyRollup(rollup.publicInputs, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC');
      expect(await executionError(programs[name], singleLeafInputs(header(leftRoot), squatter, false))).to.contain('mismatch');
      const otherKey = dummyRollup(rollup.publicInputs, OWNER, word(BigInt(VK_HASH) + 1n));
      expect(await executionError(programs[name], singleLeafInputs(header(leftRoot), otherKey, false))).to.contain('mismatch');
      const otherInput = dummyRollup([word(BigInt(rollup.publicInputs[0]!) - 1n), ...rollup.publicInputs.slice(1)]);
      expect(await executionError(programs[name], singleLeafInputs(header(leftRoot), otherInput, false))).to.contain('mismatch');
    });
  }

  it('leaf refuses a prover or an owner that is not a 160-bit address', async () => {
    const rollup = dummyRollup([word(5n)]);
    const root = hashPair(rollupDigest(rollup), ZERO_LEAF);
    const badProver = { ...singleLeafInputs(header(root), rollup, false), prover: word(1n << 160n) };
    expect(await executionError(programs.leaf_1, badProver)).to.contain('assert_max_bit_size');
    const inputs = singleLeafInputs(header(root), rollup, false);
    const badOwner = { ...inputs, rollup: { ...(inputs.rollup as InputMap), owner: word(BigInt(OWNER) + (1n << 160n)) } };
    expect(await executionError(programs.leaf_1, badOwner)).to.contain('assert_max_bit_size');
  });

  it('leaf refuses a proof word that is not a field element (>= r), before any proving', async () => {
    const rollup = dummyRollup([word(5n)]);
    const root = hashPair(rollupDigest(rollup), ZERO_LEAF);
    const proof = Uint8Array.from(rollup.proof);
    proof.set(hexToBytes(word(R)), 32 * 10);
    expect(() => singleLeafInputs(header(root), { ...rollup, proof }, false)).to.throw(
      /rollup proof field 10 is not a canonical field element/,
    );
    const vk = Uint8Array.from(rollup.vk);
    vk.set(hexToBytes(word((1n << 256n) - 1n)), 0);
    expect(() => singleLeafInputs(header(root), { ...rollup, vk }, false)).to.throw(
      /verification key field 0 is not a canonical field element/,
    );
  });

  for (const [a, b] of [
    [1, 1],
    [1, 2],
    [1, 4],
    [2, 2],
    [2, 4],
    [4, 4],
  ] as const) {
    it(`leaf_${a}_${b} commits keccak(d_left || d_right) for both slot orders through its swap bit`, async () => {
      const name = `leaf_${a}_${b}` as AggCircuit;
      const pa = dummyRollup(inputsOf(a, 2n));
      const pb = dummyRollup(inputsOf(b, 3n), '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65');
      for (const [left, right] of [
        [pa, pb],
        [pb, pa],
      ] as const) {
        const { circuit, swap } = pairLeafFor(left.publicInputs.length, right.publicInputs.length);
        expect(circuit).to.equal(name);
        const [first, second] = swap ? [right, left] : [left, right];
        const root = hashPair(rollupDigest(left), rollupDigest(right));
        await execute(programs[name], pairLeafInputs(header(root), first, second, swap));
        if (a !== b) expect(swap).to.equal(left === pb);
        // The other order is another root.
        expect(await executionError(programs[name], pairLeafInputs(header(root), first, second, !swap))).to.contain('mismatch');
      }
    });
  }

  it('pad commits Z_h for h = 1..6 and refuses h = 0 (a single zero slot) and h > 6', async () => {
    let z: Hex = ZERO_LEAF;
    for (let h = 1; h <= 6; h++) {
      z = keccak256(concat([z, z]));
      expect(zeroSubtree(h)).to.equal(z);
      await execute(programs.pad, padInputs(header(z), h));
      expect(await executionError(programs.pad, padInputs(header(z), h === 6 ? 1 : h + 1))).to.contain('mismatch');
    }
    expect(await executionError(programs.pad, padInputs(header(ZERO_LEAF), 0))).to.contain('pad height must be at least 1');
    expect(await executionError(programs.pad, padInputs(header(z), 7))).to.contain('pad height out of range');
  });

  const child = (root: Hex, circuit: AggCircuit, keyHash: Hex = keySetVector.keyHashes[circuit]): NodeChild => ({
    circuit: { vkFields: Array<Hex>(VK_FIELDS).fill(word(0n)), vkHash: keyHash },
    proof: new Uint8Array(AGG_PROOF_FIELDS * 32),
    root,
    path: keySetPath(keySet, circuit),
  });

  it('node commits keccak(left || right) over children of every circuit in the key set', async () => {
    const l = keccak256('0xaa');
    const r = keccak256('0xbb');
    const root = hashPair(l, r);
    for (const circuit of AGG_CIRCUITS) await execute(programs.node, nodeInputs(header(root), child(l, circuit), child(r, 'node')));
    expect(await executionError(programs.node, nodeInputs(header(hashPair(r, l)), child(l, 'pad'), child(r, 'node')))).to.contain(
      'mismatch',
    );
  });

  it('node refuses a child key hash outside the key set, on a wrong path, or a header with another key set', async () => {
    const l = keccak256('0xaa');
    const r = keccak256('0xbb');
    const root = hashPair(l, r);
    const foreign = child(l, 'leaf_1', word(66n));
    expect(await executionError(programs.node, nodeInputs(header(root), foreign, child(r, 'node')))).to.contain(
      'not a member of the key set',
    );
    expect(await executionError(programs.node, nodeInputs(header(root), child(l, 'node'), foreign))).to.contain(
      'not a member of the key set',
    );
    const wrongPath = { ...child(l, 'leaf_2'), path: keySetPath(keySet, 'leaf_4') };
    expect(await executionError(programs.node, nodeInputs(header(root), wrongPath, child(r, 'node')))).to.contain(
      'not a member of the key set',
    );
    const otherSet = header(root, { keySet: word(BigInt(keySet.root) ^ 1n) });
    expect(await executionError(programs.node, nodeInputs(otherSet, child(l, 'leaf_1'), child(r, 'node')))).to.contain(
      'not a member of the key set',
    );
  });

  it('node rejects child roots whose halves are not 128-bit', async () => {
    // (hi, lo) = (0, 2^128) would alias the value 2^128 = (1, 0) if halves were not range-checked.
    const aliased = word(1n << 128n);
    const root = hashPair(aliased, aliased);
    const inputs = nodeInputs(header(root), child(aliased, 'leaf_1'), child(aliased, 'leaf_1'));
    const bad = { ...inputs, left: { ...(inputs.left as InputMap), root: { hi: word(0n), lo: word(1n << 128n) } } };
    expect(await executionError(programs.node, bad)).to.contain('failed to decompose into specified 16 limbs');
    await execute(programs.node, inputs);
  });

  it("version 1's hole is closed: program id 0 with statement [0] has a digest that is no zero subtree, and no pad covers it", async () => {
    // Version 1: digest(vkHash 0, [0]) = keccak(0 || 0) = Z_1, which a pad of height 1 could cover.
    expect(keccak256(concat([word(0n), word(0n)]))).to.equal(zeroSubtree(1));
    const d = statementDigest(word(0n), [word(0n)]);
    for (let h = 0; h <= 6; h++) expect(d).to.not.equal(zeroSubtree(h));
    // A pad of height 1 commits Z_1 only, never a pair holding that statement.
    expect(await executionError(programs.pad, padInputs(header(hashPair(d, ZERO_LEAF)), 1))).to.contain('mismatch');
  });

  describe('the shared commitment vectors (test/vectors/commitment.json), planned by the engine and run through every job', () => {
    const vectors = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/commitment.json`, 'utf8')) as CommitmentVectors;

    it('has cases of every capacity', () => {
      expect(new Set(vectors.cases.map((c) => c.capacity)).size).to.equal(5);
    });

    for (const c of vectors.cases) {
      it(`${c.name}: the plan's leaves, pads and nodes rebuild the batch root`, async function () {
        this.timeout(600_000);
        const mask = BigInt(c.excludedMask);
        const batch: Batch = {
          capacity: c.capacity,
          slots: Array.from({ length: c.capacity }, (_, i) => {
            const s = c.slots[i];
            if (!s) return { kind: 'empty' };
            if ((mask >> BigInt(i)) & 1n) return { kind: 'excluded' };
            return { kind: 'proof', rollup: dummyRollup(s.publicInputs, s.owner, s.vkHash) };
          }),
        };
        const plan = planBatch(batch);
        expect(plan.expectedRoot).to.equal(c.root);
        expect(plan.excludedMask).to.equal(mask);
        const h = (root: Hex): HeaderInputs => ({ root, prover: c.prover, keySet: keySet.root });
        const roots = new Map<string, Hex>();
        for (const job of plan.jobs) {
          if (job.kind === 'leaf') {
            const rollups = job.slots.map((s) => (batch.slots[s] as { rollup: RollupProof }).rollup);
            if (rollups.length === 1) {
              await execute(programs[job.circuit], singleLeafInputs(h(job.root), rollups[0]!, (job.slots[0]! & 1) === 1));
            } else {
              const { swap } = pairLeafFor(rollups[0]!.publicInputs.length, rollups[1]!.publicInputs.length);
              const [first, second] = swap ? [rollups[1]!, rollups[0]!] : [rollups[0]!, rollups[1]!];
              await execute(programs[job.circuit], pairLeafInputs(h(job.root), first, second, swap));
            }
            // The unit's value is the parent of its two leaves in the vector.
            expect(job.root).to.equal(hashPair(c.leaves[2 * job.index]!, c.leaves[2 * job.index + 1]!));
          } else if (job.kind === 'pad') {
            await execute(programs.pad, padInputs(h(job.root), job.height));
            const covered = c.leaves.slice(job.index << job.height, (job.index + 1) << job.height);
            expect(
              covered.every((l) => l === ZERO_LEAF),
              `${job.id} covers only zero leaves`,
            ).to.equal(true);
            expect(job.root).to.equal(zeroSubtree(job.height));
          } else {
            const [l, r] = job.deps.map((d) => plan.jobs.find((j) => j.id === d)!);
            await execute(programs.node, nodeInputs(h(job.root), child(l!.root, l!.circuit), child(r!.root, r!.circuit)));
          }
          roots.set(job.id, job.root);
        }
        expect(roots.get(plan.rootJobId)).to.equal(c.root);
        expect(expectedPublicInputs({ keySet }, c.root, c.prover)).to.deep.equal(aggregationPublicInputs(c.root, c.prover, keySet.root));
      });
    }
  });
});

describe('test helper: the KZG-opening forgery (test/prover/forgery.ts)', () => {
  const G = bn254.G1.ProjectivePoint.BASE;
  const proofWithLastPoint = (k: bigint): Uint8Array => {
    const proof = new Uint8Array(ROLLUP_PROOF_FIELDS * 32).fill(7);
    const p = G.multiply(k).toAffine();
    writePoint(proof, ROLLUP_PROOF_FIELDS - G1_PROOF_FIELDS, { x: p.x, y: p.y });
    return proof;
  };

  it('replaces exactly the last G1 point W by W + G, encoded as 136-bit limbs', () => {
    const proof = proofWithLastPoint(5n);
    const f = forgeKzgOpening(proof);
    expect(f.index).to.equal(454);
    const six = G.multiply(6n).toAffine();
    expect(f.forged).to.deep.equal({ x: six.x, y: six.y });
    expect(readPoint(f.proof, 454)).to.deep.equal(f.forged);
    expect(isOnCurve(f.forged)).to.equal(true);
    expect(Buffer.from(f.proof.subarray(0, 454 * 32)).equals(Buffer.from(proof.subarray(0, 454 * 32)))).to.equal(true);
    expect(Buffer.from(f.proof).equals(Buffer.from(proof))).to.equal(false);
    // Limbs: x = x_lo + x_hi * 2^136 with x_lo < 2^136.
    const xLo = BigInt(bytesToHex(f.proof.subarray(454 * 32, 455 * 32)));
    const xHi = BigInt(bytesToHex(f.proof.subarray(455 * 32, 456 * 32)));
    expect(xLo < 1n << 136n && xLo + (xHi << 136n) === six.x).to.equal(true);
  });

  it('refuses a proof whose last 4 fields are not a curve point', () => {
    const proof = proofWithLastPoint(5n);
    proof[proof.length - 1] = proof[proof.length - 1]! ^ 1; // y_hi changes: off the curve
    expect(() => forgeKzgOpening(proof)).to.throw('not a curve point');
    expect(() => forgeKzgOpening(new Uint8Array(ROLLUP_PROOF_FIELDS * 32).fill(0xff))).to.throw('not G1 limbs');
  });
});

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chmod, copyFile, mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UltraHonkBackend, UltraHonkVerifierBackend, type Barretenberg } from '@aztec/bb.js';
import { compile, createFileManager } from '@noir-lang/noir_wasm';
import { Noir, type CompiledCircuit } from '@noir-lang/noir_js';
import { expect } from 'chai';
import type { Contract, Signer } from 'ethers';
import { network } from 'hardhat';
import {
  type DevSrs,
  SrsNotReadyError,
  createBarretenberg,
  deriveDevTau,
  devSrsDir,
  ignitionSrs,
  openBackend,
  openDevSrs,
  pointsFor,
  stockBbPath,
} from '../../prover/engine/index.js';
import { FIELD_MODULUS, InsecureSrsError, assertSrsAllowedOnChain } from '../../prover/protocol/index.js';
import {
  IGNITION_G1_SECOND_HEX,
  IGNITION_G2_HEX,
  checkSrsFiles,
  ensureDevSrs,
  g1FromBytes,
  patchBbBytes,
  patchSolidityVerifierG2,
  solidityVerifierFor,
} from '../../prover/toolchain/index.js';

// Small SRSs for these tests live under the OS temp dir (reused between runs); the 2^21 one the
// circuits need lives in the default cache so later tests and CI reruns reuse it.
const SMALL_CACHE = path.join(os.tmpdir(), 'nex-srs-test-cache');
const SMALL_LOG2 = 16;
const quiet = (): void => {};
/** Awaits `p` and checks that it rejects with an instance of `type` whose message matches `pattern`. */
async function rejects(p: Promise<unknown>, type: new (...args: never[]) => Error, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').to.be.instanceOf(type);
  expect((err as Error).message).to.match(pattern);
}
const sha256File = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

const CIRCUIT = `fn main(x: Field, y: pub Field) {
    let mut h = x;
    for i in 0..64 {
        h = h * h + i as Field;
    }
    assert(h == y);
}
`;

async function compileCircuit(dir: string): Promise<CompiledCircuit> {
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(path.join(dir, 'Nargo.toml'), '[package]\nname = "srs_probe"\ntype = "bin"\nauthors = [""]\n[dependencies]\n');
  await writeFile(path.join(dir, 'src', 'main.nr'), CIRCUIT);
  const { program } = (await compile(createFileManager(dir))) as { program: CompiledCircuit };
  return program;
}

/** y for x = 3 under the circuit above, computed in the scalar field. */
function circuitOutput(x: bigint): bigint {
  const r = FIELD_MODULUS;
  let h = x;
  for (let i = 0n; i < 64n; i++) h = (h * h + i) % r;
  return h;
}

interface ProofBundle {
  proof: { proof: Uint8Array; publicInputs: string[] };
  vk: Uint8Array;
}

async function proveWith(api: Barretenberg, program: CompiledCircuit, witness: Uint8Array): Promise<ProofBundle> {
  const backend = new UltraHonkBackend(program.bytecode, api);
  const proof = await backend.generateProof(witness, { verifierTarget: 'noir-recursive' });
  const vk = await backend.getVerificationKey({ verifierTarget: 'noir-recursive' });
  return { proof, vk };
}

async function verifyWith(api: Barretenberg, bundle: ProofBundle): Promise<boolean> {
  return new UltraHonkVerifierBackend(api).verifyProof(
    { ...bundle.proof, verificationKey: bundle.vk },
    { verifierTarget: 'noir-recursive' },
  );
}

describe('dev SRS (INSECURE) and the patched bb', function () {
  this.timeout(300_000);

  let work: string;
  let srsA: DevSrs;
  let srsB: DevSrs;
  let program: CompiledCircuit;
  let witness: Uint8Array;
  const stockBb = stockBbPath();
  let stockBbHash: string;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'nex-srs-test-'));
    stockBbHash = await sha256File(stockBb);
    srsA = await ensureDevSrs({ log2Points: SMALL_LOG2, seed: 'nex-srs-test-A', cacheDir: SMALL_CACHE, logger: quiet });
    srsB = await ensureDevSrs({ log2Points: SMALL_LOG2, seed: 'nex-srs-test-B', cacheDir: SMALL_CACHE, logger: quiet });
    program = await compileCircuit(path.join(work, 'circuit'));
    ({ witness } = await new Noir(program).execute({ x: '3', y: `0x${circuitOutput(3n).toString(16)}` }));
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('generation', () => {
    it('derives tau deterministically from the public seed', () => {
      expect(deriveDevTau('nex-srs-test-A')).to.equal(srsA.tau);
      expect(deriveDevTau('nex-srs-test-A')).to.equal(deriveDevTau('nex-srs-test-A'));
      expect(deriveDevTau('nex-srs-test-A')).to.not.equal(deriveDevTau('nex-srs-test-B'));
      expect(() => deriveDevTau('')).to.throw(/must not be empty/);
    });

    it('writes 2^log2 + margin points that match noble and pass pairing checks', async () => {
      expect(srsA.points).to.equal(pointsFor(SMALL_LOG2));
      const report = await checkSrsFiles({
        g1File: path.join(srsA.crsDir, 'bn254_g1.dat'),
        g2File: path.join(srsA.crsDir, 'bn254_g2.dat'),
        tau: srsA.tau,
        randomChecks: 4,
      });
      expect(report.points).to.equal(srsA.points);
      expect(report.spotChecked).to.include.members([0, 1, 2, srsA.points - 1]);
      expect(report.pairingChecked).to.include.members([0, srsA.points - 2]);
      expect(srsA.manifest.INSECURE).to.equal(true);
      expect(path.basename(srsA.bbPath)).to.match(/INSECURE/);
    });

    it('detects a corrupted point and a G2 point of another tau', async () => {
      const dir = path.join(work, 'corrupt');
      await mkdir(dir);
      const g1 = path.join(dir, 'bn254_g1.dat');
      const g2 = path.join(dir, 'bn254_g2.dat');
      await copyFile(path.join(srsA.crsDir, 'bn254_g1.dat'), g1);
      await copyFile(path.join(srsB.crsDir, 'bn254_g2.dat'), g2);
      // A's points with B's G2: the pairing check must fail (even without knowing tau).
      await checkSrsFiles({ g1File: g1, g2File: g2 }).then(
        () => expect.fail('pairing check passed with a foreign G2'),
        (err: Error) => expect(err.message).to.match(/pairing check failed/),
      );
      // Point 1 replaced by point 2: spot check at index 1 must fail.
      await copyFile(path.join(srsA.crsDir, 'bn254_g2.dat'), g2);
      const fh = await open(g1, 'r+');
      const p2 = Buffer.alloc(64);
      await fh.read(p2, 0, 64, 128);
      await fh.write(p2, 0, 64, 64);
      await fh.close();
      await checkSrsFiles({ g1File: g1, g2File: g2, tau: srsA.tau }).then(
        () => expect.fail('spot check passed on a corrupted point'),
        (err: Error) => expect(err.message).to.match(/point 1 is not/),
      );
    });

    it('is reproducible: two fresh generations of the same seed are byte-identical', async () => {
      const [one, two] = [path.join(work, 'repro1'), path.join(work, 'repro2')];
      const a = await ensureDevSrs({ log2Points: 10, seed: 'repro', cacheDir: one, logger: quiet, threads: 2 });
      const b = await ensureDevSrs({ log2Points: 10, seed: 'repro', cacheDir: two, logger: quiet, threads: 1 });
      expect(a.generated && b.generated).to.equal(true);
      expect(a.manifest.files).to.deep.equal(b.manifest.files);
      expect(await sha256File(path.join(a.crsDir, 'bn254_g1.dat'))).to.equal(await sha256File(path.join(b.crsDir, 'bn254_g1.dat')));
    });

    it('reuses a matching cache and regenerates a tampered one', async () => {
      const cacheDir = path.join(work, 'reuse');
      const first = await ensureDevSrs({ log2Points: 10, seed: 'reuse', cacheDir, logger: quiet });
      const again = await ensureDevSrs({ log2Points: 10, seed: 'reuse', cacheDir, logger: quiet });
      expect([first.generated, again.generated]).to.deep.equal([true, false]);
      expect(again.manifest.created).to.equal(first.manifest.created);
      expect(again.dir).to.equal(first.dir);

      const fh = await open(path.join(first.crsDir, 'bn254_g1.dat'), 'r+');
      await fh.write(Buffer.from([0xff]), 0, 1, 64 * 5 + 7);
      await fh.close();
      const reasons: string[] = [];
      const healed = await ensureDevSrs({
        log2Points: 10,
        seed: 'reuse',
        cacheDir,
        logger: (e) => reasons.push(String(e.reason ?? '')),
      });
      expect(healed.generated).to.equal(true);
      expect(reasons.join()).to.match(/SHA-256 differs/);

      // A manifest that no longer lists the CRS files, then no manifest at all: both regenerate.
      const manifestFile = path.join(healed.dir, 'INSECURE-dev-srs.json');
      await writeFile(manifestFile, JSON.stringify({ ...healed.manifest, files: {} }));
      reasons.length = 0;
      const relisted = await ensureDevSrs({
        log2Points: 10,
        seed: 'reuse',
        cacheDir,
        logger: (e) => e.reason !== undefined && reasons.push(String(e.reason)),
      });
      expect([relisted.generated, reasons.join()]).to.deep.equal([true, 'manifest does not list crs/bn254_g1.dat, crs/bn254_g2.dat']);
      await rm(manifestFile);
      expect((await ensureDevSrs({ log2Points: 10, seed: 'reuse', cacheDir, logger: quiet })).generated).to.equal(true);
      await checkSrsFiles({
        g1File: path.join(healed.crsDir, 'bn254_g1.dat'),
        g2File: path.join(healed.crsDir, 'bn254_g2.dat'),
        tau: healed.tau,
      });
    });

    it('the runtime opens only an SRS the toolchain set up, and names the command that sets it up', async () => {
      const cacheDir = path.join(work, 'runtime');
      const opts = { log2Points: 10, seed: 'runtime', cacheDir };
      await rejects(
        openDevSrs({ ...opts, logger: quiet }),
        SrsNotReadyError,
        /no usable dev SRS .*no readable manifest.*nex srs setup --cache-dir /,
      );
      await rejects(openBackend({ srsDir: cacheDir }), SrsNotReadyError, /nex srs setup/);
      expect(await readdir(cacheDir).catch(() => [])).to.deep.equal([]); // nothing generated

      const made = await ensureDevSrs({ ...opts, logger: quiet });
      const events: string[] = [];
      const opened = await openDevSrs({ ...opts, logger: (e) => events.push(e.msg) });
      expect([opened.generated, opened.dir, opened.bbPath, opened.manifest.created]).to.deep.equal([
        false,
        made.dir,
        made.bbPath,
        made.manifest.created,
      ]);
      expect(opened.g2).to.deep.equal(made.g2);
      expect(events).to.deep.equal(['using INSECURE dev SRS (tau is public)']);

      // An altered patched bb is not run; the toolchain re-patches it.
      await writeFile(made.patchedBbBinary, Buffer.concat([await readFile(made.patchedBbBinary), Buffer.from([0])]));
      await rejects(openDevSrs({ ...opts, logger: quiet }), SrsNotReadyError, /patched bb .*altered/);
      await ensureDevSrs({ ...opts, logger: quiet });
      expect((await openDevSrs({ ...opts, logger: quiet })).dir).to.equal(made.dir);
      // A missing CRS file fails the manifest check.
      await rm(path.join(made.crsDir, 'bn254_g2.dat'));
      await rejects(openDevSrs({ ...opts, logger: quiet }), SrsNotReadyError, /bn254_g2.dat is missing/);
    });

    it('generates once when several callers ask for the same new SRS at the same time', async () => {
      const cacheDir = path.join(work, 'concurrent');
      const waits: unknown[] = [];
      const runs = await Promise.all(
        [1, 2, 3].map(() =>
          ensureDevSrs({ log2Points: 12, seed: 'concurrent', cacheDir, logger: (e) => e.msg.startsWith('waiting') && waits.push(e) }),
        ),
      );
      expect(runs.filter((r) => r.generated)).to.have.length(1);
      expect(waits).to.have.length(2);
      expect(new Set(runs.map((r) => r.manifest.created)).size).to.equal(1);
    });

    it('leaves nothing that looks valid when a generation is killed, and cleans up after dead runs', async () => {
      const cacheDir = path.join(work, 'killed');
      const ctrl = new AbortController();
      const run = ensureDevSrs({
        log2Points: 20,
        seed: 'killed',
        cacheDir,
        logger: quiet,
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.phase === 'generate') ctrl.abort();
        },
      });
      await run.then(
        () => expect.fail('aborted generation resolved'),
        (err: Error) => expect(err.name).to.equal('AbortError'),
      );
      expect((await readdir(cacheDir)).filter((n) => n !== 'tools')).to.deep.equal([]);

      // A temp dir of a dead process (as after kill -9) is removed by the next generation.
      const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
      const stale = path.join(cacheDir, `.tmp-${path.basename(devSrsDir(cacheDir, 'killed', 8))}-${deadPid}-abcd`);
      await mkdir(path.join(stale, 'crs'), { recursive: true });
      await writeFile(path.join(stale, 'crs', 'bn254_g1.dat'), Buffer.alloc(640));
      const srs = await ensureDevSrs({ log2Points: 8, seed: 'killed', cacheDir, logger: quiet });
      expect(existsSync(stale)).to.equal(false);
      expect(srs.generated).to.equal(true);
    });

    it('rejects sizes outside the supported range', async () => {
      for (const log2Points of [1, 26, 20.5]) {
        await ensureDevSrs({ log2Points, cacheDir: path.join(work, 'range'), logger: quiet }).then(
          () => expect.fail(`log2Points ${log2Points} accepted`),
          (err: Error) => expect(err.message).to.match(/log2Points must be an integer/),
        );
      }
    });
  });

  describe('patched bb', () => {
    it('differs from stock bb only in the three replaced constants; stock bb is untouched', async () => {
      const stock = await readFile(stockBb);
      const patched = await readFile(srsA.patchedBbBinary);
      expect(patched.length).to.equal(stock.length);
      const diffs: number[] = [];
      for (let i = 0; i < stock.length; i++) if (stock[i] !== patched[i]) diffs.push(i);
      const second = Buffer.alloc(64);
      const fh = await open(path.join(srsA.crsDir, 'bn254_g1.dat'), 'r');
      await fh.read(second, 0, 64, 64);
      await fh.close();
      const { patched: again, report } = patchBbBytes(stock, srsA.g2, g1FromBytes(second));
      expect(again.equals(patched)).to.equal(true);
      expect(report.replaced.map((r) => [r.name, r.offsets.length, r.length])).to.deep.equal([
        ['ignition [x]_2', 1, 128],
        ['sha256([x]_2)', 1, 32],
        ['ignition [x]_1', 1, 64],
      ]);
      const ranges = report.replaced.flatMap((r) => r.offsets.map((o) => [o, o + r.length] as const));
      expect(diffs.length).to.equal(report.bytesChanged).and.be.greaterThan(200);
      for (const d of diffs)
        expect(
          ranges.some(([lo, hi]) => d >= lo && d < hi),
          `offset ${d}`,
        ).to.equal(true);
      expect(await sha256File(stockBb)).to.equal(stockBbHash);
    });

    it('re-patches a patched copy that was altered, giving the same binary', async () => {
      const before = await sha256File(srsA.patchedBbBinary);
      const fh = await open(srsA.patchedBbBinary, 'r+');
      await fh.write(Buffer.from('XX'), 0, 2, 4096);
      await fh.close();
      const events: string[] = [];
      const again = await ensureDevSrs({
        log2Points: SMALL_LOG2,
        seed: 'nex-srs-test-A',
        cacheDir: SMALL_CACHE,
        logger: (e) => events.push(e.msg),
      });
      expect(again.generated).to.equal(false);
      expect(events).to.include('patched a copy of bb for the INSECURE dev SRS');
      expect(await sha256File(again.patchedBbBinary)).to.equal(before);
    });

    it('refuses a binary where a constant is missing or duplicated', () => {
      const g1 = { x: 1n, y: 2n };
      expect(() => patchBbBytes(Buffer.alloc(4096), srsA.g2, g1)).to.throw(/ignition \[x\]_2: expected 1 occurrence\(s\) in bb, found 0/);
      const g2 = Buffer.from(IGNITION_G2_HEX, 'hex');
      const others = [createHash('sha256').update(g2).digest(), Buffer.from(IGNITION_G1_SECOND_HEX, 'hex')];
      const twice = Buffer.concat([g2, Buffer.alloc(8), g2, ...others]);
      expect(() => patchBbBytes(twice, srsA.g2, g1)).to.throw(/ignition \[x\]_2: expected 1 occurrence\(s\) in bb, found 2/);
      const ok = patchBbBytes(Buffer.concat([g2, ...others]), srsA.g2, g1);
      expect(ok.report.bytesChanged).to.be.greaterThan(200);
    });

    it('proves and verifies a Noir circuit under the dev SRS', async () => {
      const api = await createBarretenberg(srsA, { threads: 2 });
      try {
        const bundle = await proveWith(api, program, witness);
        expect(bundle.proof.publicInputs).to.have.length(1);
        expect(await verifyWith(api, bundle)).to.equal(true);
        const tampered = { ...bundle, proof: { ...bundle.proof, proof: Uint8Array.from(bundle.proof.proof) } };
        tampered.proof.proof[100] = (tampered.proof.proof[100] as number) ^ 1;
        expect(await verifyWith(api, tampered)).to.equal(false);
      } finally {
        await api.destroy();
      }
    });

    it('stock bb rejects the dev CRS over the API and fails to verify a dev-SRS proof', async () => {
      // Stock bb run with CRS_PATH at the dev CRS (a test-only wrapper; the module never does this).
      const wrapper = path.join(work, 'stock-bb-dev-crs.sh');
      await writeFile(wrapper, `#!/bin/sh\nCRS_PATH='${srsA.crsDir}' exec '${stockBb}' "$@"\n`);
      await chmod(wrapper, 0o755);
      const { Barretenberg, BackendType } = await import('@aztec/bb.js');
      const stock = await Barretenberg.new({ backend: BackendType.NativeUnixSocket, bbPath: wrapper, threads: 2 });
      const dev = await createBarretenberg(srsA, { threads: 2 });
      try {
        const g1 = await readFile(path.join(srsA.crsDir, 'bn254_g1.dat'));
        const g2 = await readFile(path.join(srsA.crsDir, 'bn254_g2.dat'));
        await stock.srsInitSrs({ pointsBuf: g1.subarray(0, 64 * 4), numPoints: 4, g2Point: g2 }).then(
          () => expect.fail('stock bb accepted the dev CRS'),
          (err: Error) => expect(err.message).to.match(/does not match the canonical trusted-setup/),
        );
        const bundle = await proveWith(dev, program, witness);
        expect(await verifyWith(dev, bundle)).to.equal(true);
        // Stock bb verifies with the hard-coded Ignition [x]_2: the pairing check fails.
        expect(await verifyWith(stock, bundle)).to.equal(false);
      } finally {
        await stock.destroy().catch(() => {});
        await dev.destroy();
      }
    });

    it('a proof made under dev SRS A does not verify under dev SRS B', async () => {
      const a = await createBarretenberg(srsA, { threads: 2 });
      const b = await createBarretenberg(srsB, { threads: 2 });
      try {
        const fromA = await proveWith(a, program, witness);
        const fromB = await proveWith(b, program, witness);
        expect(await verifyWith(b, fromB)).to.equal(true);
        expect(Buffer.from(fromA.vk).equals(Buffer.from(fromB.vk))).to.equal(false);
        expect(await verifyWith(b, fromA)).to.equal(false); // A's proof and key, B's verifier
        expect(await verifyWith(b, { proof: fromA.proof, vk: fromB.vk })).to.equal(false); // B's key
      } finally {
        await a.destroy();
        await b.destroy();
      }
    });
  });

  describe('Solidity verifier G2 patch', () => {
    let generated: string;
    let evmProof: { proof: Uint8Array; publicInputs: string[] };

    before(async () => {
      const api = await createBarretenberg(srsA, { threads: 2 });
      try {
        const backend = new UltraHonkBackend(program.bytecode, api);
        const vk = await backend.getVerificationKey({ verifierTarget: 'evm' });
        generated = await backend.getSolidityVerifier(vk, { verifierTarget: 'evm' });
        evmProof = await backend.generateProof(witness, { verifierTarget: 'evm' });
      } finally {
        await api.destroy();
      }
    });

    it('on the EVM, the patched verifier accepts a dev-SRS proof and the verifier as generated rejects it', async () => {
      const { ethers } = await network.create();
      const [signer] = await ethers.getSigners();
      const dev = await deployVerifier(ethers, signer!, solidityVerifierFor(srsA, generated));
      const asGenerated = await deployVerifier(ethers, signer!, generated);
      expect(await dev.getFunction('verify').staticCall(evmProof.proof, evmProof.publicInputs)).to.equal(true);
      // Ignition [x]_2 in the final pairing: ShpleminiFailed() (0xa5d82e8a).
      const data = await asGenerated
        .getFunction('verify')
        .staticCall(evmProof.proof, evmProof.publicInputs)
        .then(
          () => expect.fail('the Ignition verifier accepted a dev-SRS proof'),
          (err: { data?: string }) => err.data,
        );
      expect(data).to.equal(ethers.id('ShpleminiFailed()').slice(0, 10));
    });

    it('swaps exactly the 4 G2 words of a bb-generated verifier', () => {
      const patched = patchSolidityVerifierG2(generated, srsA.g2);
      const word = (v: bigint): string => `0x${v.toString(16).padStart(64, '0')}`;
      for (const w of [srsA.g2.xC0, srsA.g2.xC1, srsA.g2.yC0, srsA.g2.yC1]) expect(patched.toLowerCase()).to.include(word(w));
      const changedLines = patched.split('\n').filter((line, i) => line !== generated.split('\n')[i]);
      expect(changedLines).to.have.length.within(1, 4);
      expect(patched.length).to.equal(generated.length);
    });

    it('throws on a source without the Ignition constants (or already patched)', () => {
      expect(() => patchSolidityVerifierG2('contract X { uint256 constant A = 1; }', srsA.g2)).to.throw(
        /expected the Ignition G2 word 0 once, found it 0/,
      );
      const once = patchSolidityVerifierG2(generated, srsA.g2);
      expect(() => patchSolidityVerifierG2(once, srsB.g2)).to.throw(/found it 0/);
    });
  });

  describe('modes and deploy guard', () => {
    it("ignition mode is the stock bb and bb's default CRS directory", () => {
      const ign = ignitionSrs();
      expect(ign.bbPath).to.equal(stockBb);
      expect(ign.crsDir).to.equal(path.join(os.homedir(), '.bb-crs'));
      expect(ign.insecure).to.equal(false);
    });

    it('createBarretenberg refuses ignition mode when CRS_PATH points at another CRS', async () => {
      const saved = process.env.CRS_PATH;
      process.env.CRS_PATH = srsA.crsDir;
      try {
        await createBarretenberg(ignitionSrs()).then(
          () => expect.fail('started stock bb with a foreign CRS_PATH'),
          (err: Error) => expect(err.message).to.match(/CRS_PATH=.* is set/),
        );
      } finally {
        if (saved === undefined) delete process.env.CRS_PATH;
        else process.env.CRS_PATH = saved;
      }
    });

    it('allows the dev SRS only on local devnets', () => {
      for (const id of [31337, 1337n]) expect(() => assertSrsAllowedOnChain(srsA, id)).to.not.throw();
      for (const id of [1, 11155111n, 17000, 8453])
        expect(() => assertSrsAllowedOnChain(srsA, id)).to.throw(InsecureSrsError, /INSECURE dev SRS on chain/);
      for (const id of [1, 31337]) expect(() => assertSrsAllowedOnChain(ignitionSrs(), id)).to.not.throw();
    });
  });

  describe('the 2^21 SRS the circuits need (default cache)', () => {
    it('is generated once (or reused), consistent, and has its patched bb', async () => {
      const t0 = performance.now();
      const srs = await ensureDevSrs({ log2Points: 21, logger: quiet });
      const ms = performance.now() - t0;
      console.log(
        `      2^21 dev SRS: ${srs.generated ? `generated in ${(ms / 1000).toFixed(1)} s` : `cache hit in ${(ms / 1000).toFixed(1)} s`} (${srs.points} points, ${srs.dir})`,
      );
      expect(srs.points).to.equal(2 ** 21 + 1024);
      await checkSrsFiles({ g1File: path.join(srs.crsDir, 'bn254_g1.dat'), g2File: path.join(srs.crsDir, 'bn254_g2.dat'), tau: srs.tau });
      expect(existsSync(srs.bbPath)).to.equal(true);
    });
  });
});

type HardhatEthers = Awaited<ReturnType<typeof network.create>>['ethers'];

interface SolcContract {
  abi: unknown[];
  evm: { bytecode: { object: string; linkReferences: Record<string, Record<string, unknown>> } };
}

/** Compiles a bb-generated verifier with the project's solc (npm) and deploys it with its libraries. */
async function deployVerifier(ethers: HardhatEthers, signer: Signer, source: string): Promise<Contract> {
  const require = createRequire(import.meta.url);
  const solc = require('solc') as { compile(input: string): string };
  const linker = require('solc/linker') as { linkBytecode(bytecode: string, libs: Record<string, string>): string };
  const input = {
    language: 'Solidity',
    sources: { 'Verifier.sol': { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 1 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: Array<{ severity: string; formattedMessage: string }>;
    contracts: Record<string, Record<string, SolcContract>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const contracts = out.contracts['Verifier.sol'] ?? {};
  const linked: Record<string, string> = {};
  const deploy = async (name: string): Promise<string> => {
    const c = contracts[name];
    if (!c) throw new Error(`solc output lacks ${name}`);
    for (const [file, libs] of Object.entries(c.evm.bytecode.linkReferences)) {
      for (const lib of Object.keys(libs)) linked[`${file}:${lib}`] ??= await deploy(lib);
    }
    const factory = new ethers.ContractFactory(c.abi as never, linker.linkBytecode(c.evm.bytecode.object, linked), signer);
    const deployed = await factory.deploy();
    await deployed.waitForDeployment();
    return deployed.getAddress();
  };
  const address = await deploy('HonkVerifier');
  return new ethers.Contract(address, contracts.HonkVerifier!.abi as never, signer);
}

/**
 * What a deployment needs built first: the contracts (Hardhat artifacts) and the verifier from the
 * circuits build (which needs the dev SRS on a devnet).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../../prover/sdk/index.js';
import type { SrsProgress } from '../../prover/toolchain/index.js';
import { loadVerifierBuild, VerifierBuildError, type VerifierBuild } from '../verifierBuild.js';

/** Runs `hardhat build` (incremental: quick when nothing changed). */
export async function buildContracts(root: string = projectRoot()): Promise<void> {
  const require = createRequire(path.join(root, 'package.json'));
  const cli = path.join(path.dirname(require.resolve('hardhat/package.json')), 'dist', 'src', 'cli.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'build', '--no-typechain'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`hardhat build failed (exit ${code}):\n${output.slice(-4_000)}`)),
    );
  });
}

export interface EnsureVerifierOptions {
  /** Use this circuits build as is (no SRS set-up, no build). */
  buildDir?: string | undefined;
  log?: ((event: string, fields?: Record<string, unknown>) => void) | undefined;
  /** Progress of a dev SRS generation (minutes, first run on a machine), e.g. a progress bar. */
  onSrsProgress?: ((p: SrsProgress) => void) | undefined;
}

/**
 * The verifier build for the current circuit sources under the dev SRS: sets up the dev SRS when it is
 * not cached (minutes, once per machine) and runs the circuits pipeline of `npm run circuits` (a cache
 * hit when nothing changed; bb only starts on a miss). Devnets only: the dev SRS is INSECURE.
 */
export async function ensureVerifierBuild(opts: EnsureVerifierOptions = {}): Promise<VerifierBuild> {
  if (opts.buildDir) return loadVerifierBuild(opts.buildDir);
  const log = opts.log ?? (() => undefined);
  // Loaded on demand: bb.js and the circuits are heavy, and most CLI commands never need them.
  const { startBarretenberg } = await import('../../prover/engine/index.js');
  const { ensureAggregationArtifacts, ensureDevSrs } = await import('../../prover/toolchain/index.js');
  log('devnet.build', { step: 'dev-srs', note: 'INSECURE dev SRS, local devnets only' });
  const srs = await ensureDevSrs({ logger: (e) => log('srs', e), onProgress: opts.onSrsProgress });
  let bb: { destroy(): Promise<void> } | undefined;
  try {
    const { build } = await ensureAggregationArtifacts(
      async () => {
        const created = await startBarretenberg(srs);
        bb = created;
        return created;
      },
      srs,
      { onProgress: (p) => log('circuits', { ...p }) },
    );
    log('devnet.build', { step: 'circuits', cacheHit: build.cacheHit, buildDir: build.buildDir });
    return loadVerifierBuild(build.buildDir);
  } catch (err) {
    if (err instanceof VerifierBuildError) throw err;
    throw new VerifierBuildError(`building the circuits failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await bb?.destroy();
  }
}

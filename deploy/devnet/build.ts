/**
 * What a deployment needs built first: the contracts (Hardhat artifacts) and the verifier from the
 * circuits build (which needs the dev SRS on a devnet).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../../prover/sdk/deployments.js';
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
  buildDir?: string | undefined;
  log?: ((event: string, fields?: Record<string, unknown>) => void) | undefined;
}

/**
 * Returns the verifier build, producing it when missing (dev SRS + circuits pipeline).
 */
export async function ensureVerifierBuild(opts: EnsureVerifierOptions = {}): Promise<VerifierBuild> {
  try {
    return loadVerifierBuild(opts.buildDir);
  } catch (err) {
    if (!(err instanceof VerifierBuildError)) throw err;
    // TODO(#5): call the circuits pipeline (dev SRS + npm run circuits) here once branch `circuits` lands.
    throw new VerifierBuildError(`${err.message}\nRun \`npm run circuits\` first.`);
  }
}

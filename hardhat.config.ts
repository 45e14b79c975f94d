import { createRequire } from 'node:module';
import hardhatToolboxMochaEthers from '@nomicfoundation/hardhat-toolbox-mocha-ethers';
import { defineConfig } from 'hardhat/config';

// Hardhat cannot download solc on machines without internet: compile with the soljson.js
// shipped by the npm `solc` package of the same version (absolute path).
const require = createRequire(import.meta.url);
const SOLC_VERSION = '0.8.28';
const soljson = require.resolve('solc/soljson.js');

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    // Deployed by deploy/ (governance); npm sources get artifacts only when listed here.
    npmFilesToBuild: ['@openzeppelin/contracts/governance/TimelockController.sol'],
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: soljson,
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' },
      },
    },
  },
  test: {
    solidity: {
      // Pinned so that every run (and the gas snapshot's fuzz medians in .gas-snapshot) is reproducible:
      // 256 runs per fuzz test, and Hardhat's default seed written out, so a change of that default
      // cannot change our inputs. Invariant runs and depth are set per test (forge-config comments).
      fuzz: { runs: 256, seed: '0x7727ea51af0441c20da14dcd68a15dac8c9ebd589c5be8fa8c87c1d3720450bc' },
    },
  },
  paths: {
    sources: './contracts',
    tests: { mocha: './test', solidity: './test' },
  },
});

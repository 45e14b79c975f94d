// ESLint runs one rule set here: the layer rule of docs/architecture.md ("Layers and dependency rules").
// A module imports its own files, the modules of the layers below it, and other modules only through
// their face (index.ts). Product code only: tests may import what they test. No style rules (the
// formatter owns style). The table below is the one source of the rule; docs/architecture.md shows it.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * The modules with a face: where they live and the file other modules may import. `alsoFaces` lists
 * temporary extra entries (none since the frozen version-1 ABI, prover/abi/v1.js, was deleted).
 */
const MODULES = {
  telemetry: { path: 'prover/telemetry', face: 'index.js' },
  abi: { path: 'prover/abi', face: 'generated.js' },
  protocol: { path: 'prover/protocol', face: 'index.js' },
  engine: { path: 'prover/engine', face: 'index.js' },
  toolchain: { path: 'prover/toolchain', face: 'index.js' },
  sdk: { path: 'prover/sdk', face: 'index.js' },
  keeper: { path: 'prover/keeper', face: 'index.js' },
  relay: { path: 'prover/relay', face: 'index.js' },
  explorer: { path: 'prover/explorer', face: 'index.js' },
};

/** The tools: top layer, they import faces (and deploy/, which is their deployment library). */
const TOOLS = {
  cli: 'prover/cli',
  demo: 'prover/demo',
  deploy: 'deploy',
  scripts: 'scripts',
};

/**
 * The layer table, bottom to top: which modules each directory may import (through their faces), and
 * which tool directories (tools only). Everything else in the repository is off limits, test/ included.
 */
export const LAYERS = [
  { name: 'telemetry', dir: MODULES.telemetry.path, modules: [] },
  { name: 'abi', dir: MODULES.abi.path, modules: [] },
  { name: 'protocol', dir: MODULES.protocol.path, modules: ['telemetry', 'abi'] },
  { name: 'engine', dir: MODULES.engine.path, modules: ['telemetry', 'abi', 'protocol'] },
  { name: 'toolchain', dir: MODULES.toolchain.path, modules: ['telemetry', 'abi', 'protocol', 'engine'] },
  { name: 'sdk', dir: MODULES.sdk.path, modules: ['telemetry', 'abi', 'protocol'] },
  { name: 'keeper', dir: MODULES.keeper.path, modules: ['telemetry', 'abi', 'protocol', 'engine', 'sdk'] },
  { name: 'relay', dir: MODULES.relay.path, modules: ['telemetry', 'abi', 'protocol', 'engine'] },
  { name: 'explorer', dir: MODULES.explorer.path, modules: ['telemetry', 'abi', 'protocol', 'sdk'] },
  { name: 'deploy', dir: TOOLS.deploy, modules: Object.keys(MODULES), tools: [] },
  { name: 'cli', dir: TOOLS.cli, modules: Object.keys(MODULES), tools: ['deploy'] },
  { name: 'demo', dir: TOOLS.demo, modules: Object.keys(MODULES), tools: ['deploy'] },
  { name: 'scripts', dir: TOOLS.scripts, modules: Object.keys(MODULES), tools: ['deploy', 'cli', 'demo'] },
];

// Import specifiers are matched as written (relative paths). `(?:\.\./)*` climbs any depth; the
// `prover/` segment appears when the importer is outside prover/ (deploy/, scripts/).
const UP = String.raw`^\.{1,2}/(?:\.\./)*`;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const segment = (path) => {
  const [first, ...rest] = path.split('/');
  // prover/x is written either prover/x/ (from outside prover/) or x/ (from inside it).
  return first === 'prover' ? `(?:prover/)?${rest.map(escape).join('/')}` : escape(path);
};

function restrictionsFor(layer) {
  const own = layer.name;
  const patterns = [];
  for (const [name, m] of Object.entries(MODULES)) {
    if (name === own) continue;
    if (layer.modules.includes(name)) {
      const faces = [m.face, ...(m.alsoFaces ?? [])].map(escape).join('|');
      patterns.push({
        regex: `${UP}${segment(m.path)}/(?!(?:${faces})$)`,
        message: `${m.path} is used through its face only: import '${m.path}/${m.face}' (docs/architecture.md, layers).`,
      });
    } else {
      patterns.push({
        regex: `${UP}${segment(m.path)}/`,
        message: `the ${own} layer may not depend on ${m.path} (docs/architecture.md, layers).`,
      });
    }
  }
  for (const [name, path] of Object.entries(TOOLS)) {
    if (name === own || (layer.tools ?? []).includes(name)) continue;
    patterns.push({
      regex: `${UP}${segment(path)}/`,
      message: `the ${own} layer may not depend on ${path} (docs/architecture.md, layers).`,
    });
  }
  patterns.push({
    regex: `${UP}test/`,
    message: 'product code may not import from test/ (move shared helpers to scripts/lib or deploy/).',
  });
  return patterns;
}

/** Dynamic import() is checked too: no-restricted-imports only sees static imports and re-exports. */
function dynamicImportSelectors(patterns) {
  // esquery regex literals cannot contain '/', so slashes are written as \x2F.
  return patterns.map((p) => ({
    selector: `ImportExpression[source.value=/${p.regex.replaceAll('/', String.raw`\x2F`)}/]`,
    message: p.message,
  }));
}

export default defineConfig(
  { ignores: ['node_modules/**', 'artifacts/**', 'cache/**', 'types/**', 'coverage/**', '.nex/**', 'test/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  ...LAYERS.map((layer) => {
    const patterns = restrictionsFor(layer);
    return {
      name: `nex/layers/${layer.name}`,
      files: [`${layer.dir}/**/*.ts`, `${layer.dir}/**/*.mjs`],
      rules: {
        'no-restricted-imports': ['error', { patterns }],
        'no-restricted-syntax': ['error', ...dynamicImportSelectors(patterns)],
      },
    };
  }),
);

// Bundles the function into dist/index.js the way FC loads it (CommonJS, node20), and fails the
// build when the bundle outgrows bundle-budget.json: a bigger bundle is a slower cold start, and
// the usual cause is importing a whole SDK client where a per-operation model module would do.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const root = dirname(fileURLToPath(import.meta.url));

// The flags exist so tests can build a throwaway entry without touching the real dist/.
const { values: options } = parseArgs({
  options: {
    entry: { type: 'string', default: 'functions/detach-key-pair/src/index.ts' },
    outdir: { type: 'string', default: 'dist' },
    budget: { type: 'string', default: 'bundle-budget.json' },
    metafile: { type: 'string', default: 'node_modules/.cache/detach-key-pair/metafile.json' },
  },
});

const outdir = resolve(root, options.outdir);
const outfile = join(outdir, 'index.js');
const metafilePath = resolve(root, options.metafile);
const budget = JSON.parse(await readFile(resolve(root, options.budget), 'utf8'));

// dist/ is deployed as is (s.yaml `code: ./dist`), so stale files from earlier builds must go.
await rm(outdir, { recursive: true, force: true });

const startedAt = performance.now();
const { metafile } = await build({
  absWorkingDir: root,
  // Lets an entry outside the repo (a test fixture in a temp dir) resolve this repo's packages.
  nodePaths: [join(root, 'node_modules')],
  entryPoints: [options.entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // Error and class names survive minification so logs and `err.name` stay readable.
  keepNames: true,
  // file:line:col is what --enable-source-maps needs; embedding sources would triple the map.
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
}).catch(() => {
  // esbuild has already printed the errors with their source locations; its stack adds nothing.
  process.exit(1);
});
const elapsedMs = Math.round(performance.now() - startedAt);

// The metafile is for humans (esbuild's analyzer); it stays out of dist/ so it is not deployed.
await mkdir(dirname(metafilePath), { recursive: true });
await writeFile(metafilePath, JSON.stringify(metafile));

const output = metafile.outputs[relative(root, outfile)];
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

console.log(
  `${relative(root, outfile)}  ${kib(output.bytes)} of ${kib(budget.maxBytes)} budget  (${elapsedMs} ms)`,
);
printSizeByPackage(output.inputs);
console.log(`metafile: ${relative(root, metafilePath)}`);

if (output.bytes > budget.maxBytes) {
  console.error(
    `Bundle exceeds the budget in ${options.budget} by ${kib(output.bytes - budget.maxBytes)}. ` +
      'Look at the biggest packages above: import per-operation model modules, not whole clients.',
  );
  process.exitCode = 1;
}

function printSizeByPackage(inputs) {
  const shown = 8;
  const sizes = new Map();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const name = packageOf(path);
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  const sorted = [...sizes].sort(([, a], [, b]) => b - a);
  const width = Math.max(...sorted.slice(0, shown).map(([name]) => name.length));
  for (const [name, bytes] of sorted.slice(0, shown)) {
    console.log(`  ${name.padEnd(width)}  ${kib(bytes).padStart(10)}`);
  }
  const rest = sorted.slice(shown);
  if (rest.length > 0) {
    const restBytes = rest.reduce((sum, [, bytes]) => sum + bytes, 0);
    console.log(`  ${`(${rest.length} more)`.padEnd(width)}  ${kib(restBytes).padStart(10)}`);
  }
}

// The innermost node_modules segment names the package that actually owns the file.
function packageOf(path) {
  const match = path.match(/.*node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return match ? match[1] : '(this repo)';
}

// Bundles the function the way FC loads it (CommonJS, node20) into dist/, in six steps:
//
// 1. index.js: what runs at load and on every invocation (triggers, validation, policy, the job,
//    results, logging), and the SDK adapter's own code. The packages the adapter imports are
//    left for steps 3 and 4, the stages only some requests run (LAZY_STAGES) for step 2.
// 2. stages.js: those stages and what only they use, required when a request first needs one.
// 3. ecs-sdk.js: the adapter's packages (openapi-core, the ECS request models), required when the
//    adapter first runs: in `initialize`, or at the first ECS call. Packages the SDK needs only on
//    rare paths (DEFERRED) are left for step 5.
// 4. ecs-sdk-extra.js: the request models of the calls only those stages make (EXTRA_MODELS),
//    required at their first use.
// 5. ecs-sdk-rare.js: the DEFERRED packages, required at their first use.
// 6. The size budget (bundle-budget.json): the build fails when a file outgrows it.
//
// Every step also leaves out (LEFT_OUT) or replaces (REPLACED) modules the function has no use
// for. A bigger bundle is a slower cold start, and the usual cause is importing a whole SDK
// client where a per-operation model module would do.
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
const metafilePath = resolve(root, options.metafile);

/**
 * The module whose package imports go to SDK_FILE. Its own code stays in index.js (index.ts
 * imports it dynamically), so the error classes it throws are the ones the job checks with
 * instanceof.
 */
const SDK_ADAPTER = resolve(root, 'functions/detach-key-pair/src/ecs/sdk-adapter.ts');
const SDK_FILE = 'ecs-sdk.js';
const EXTRA_FILE = 'ecs-sdk-extra.js';
const RARE_FILE = 'ecs-sdk-rare.js';
const STAGES_FILE = 'stages.js';

/**
 * The job's stages that only some requests run (Online, Reboot), which job/run.ts imports
 * dynamically: their code, the guest script among it, goes to STAGES_FILE instead of being
 * compiled at every cold start. Each module they share with index.js stays there, one copy (errors
 * are matched with instanceof, the ledger is one object), and is handed to STAGES_FILE when it
 * loads.
 */
const LAZY_STAGES = ['job/revoke.ts', 'job/restart.ts'].map((stage) =>
  resolve(root, 'functions/detach-key-pair/src', stage),
);

/**
 * The adapter's request models for the calls only LAZY_STAGES or a request over several regions
 * make; the adapter constructs them, so each stands in as a constructor until first used.
 */
const EXTRA_MODELS = Object.fromEntries(
  [
    'RunCommand',
    'DescribeInvocations',
    'DescribeCloudAssistantStatus',
    'RebootInstances',
    'DescribeInstanceStatus',
    'DescribeRegions',
    'DeleteKeyPairs',
  ].map((action) => [
    `@alicloud/ecs20140526/dist/models/${action}Request`,
    { esModule: true, exports: [`${action}Request`] },
  ]),
);

/**
 * Modules required at load for features the function never uses, each left out where the named
 * package requires it and replaced by a module that throws if it is ever used. Read in
 * @darabonba/typescript 1.0.5, @alicloud/openapi-core 1.0.8 and pino 10.4.0; the integration and
 * e2e tests make the real calls through the bundle against the emulator.
 */
const LEFT_OUT = [
  // The WebSocket client (ws, proxy agents, socks) and openapi-core's handlers built on it. The
  // client uses them only for an endpoint whose protocol is ws or wss (doRequest's isWebSocket);
  // ECS is called over HTTP(S) through httpx, which uses no proxy agent.
  { requirer: '@darabonba/typescript', module: './websocket' },
  { requirer: '@alicloud/openapi-core', module: './websocketUtils' },
  // func.js: only for `merge`, which openapi-core never calls.
  { requirer: '@darabonba/typescript', module: 'lodash' },
  // date.js: the `Date` helper and File's timestamps; the client uses neither.
  { requirer: '@darabonba/typescript', module: 'moment' },
  // Only for pino.transport() (a worker thread); the function logs synchronously to stdout.
  { requirer: 'pino', module: 'thread-stream' },
];

/** Modules replaced by a smaller one that does all that the requirer uses of them. */
const REPLACED = [
  // sonic-boom calls assert(condition, message) once, when its stream is closed; loading
  // node:assert for it costs about 5 ms at every cold start.
  {
    requirer: 'sonic-boom',
    module: 'assert',
    contents:
      'module.exports = function assert(value, message) { if (!value) throw new Error(message); };',
  },
  // pino reads isMainThread only for an asynchronous destination (tools.js), and log.ts creates
  // synchronous ones only; loading worker_threads for it costs a few ms at every cold start.
  { requirer: 'pino', module: 'worker_threads', contents: 'exports.isMainThread = true;' },
  // httpx's debug logging (DEBUG=httpx:*) prints each request's headers, Authorization and
  // x-acs-security-token among them, where no credential may go (log.ts). Kept off for good, it
  // need not load debug and supports-color (and open stderr to test it for colours) at each start.
  {
    requirer: 'httpx',
    module: 'debug',
    contents: 'module.exports = () => Object.assign(() => {}, { enabled: false });',
  },
  // httpx inflates a gzip or deflate answer. It asks for none (the SDK never sets `compression`),
  // so zlib is loaded only if an answer comes compressed all the same.
  {
    requirer: 'httpx',
    module: 'zlib',
    contents: `exports.createGunzip = (...args) => require('zlib').createGunzip(...args);
exports.createInflate = (...args) => require('zlib').createInflate(...args);`,
  },
];

/**
 * Packages that a path does need, but rarely: they go to RARE_FILE, which is required at their
 * first use. Each entry lists the exports its requirers use (all constructors or functions,
 * none read at require time) and whether the package marks itself `__esModule`, which
 * requirers' interop helpers read at require time.
 */
const DEFERRED = {
  // The default credential chain, for local runs only: on FC the adapter signs with
  // context.credentials. openapi-core names the class in Config.types() and constructs it (and
  // Config) only when given an access key, which the adapter never gives it.
  '@alicloud/credentials': { esModule: true, exports: ['default', 'Config'] },
  // @darabonba/typescript xml.js: parses an error answer that comes as XML (a gateway's; ECS
  // answers JSON) and builds XML bodies, which no ECS operation has. The smoke test reads such
  // an answer through the bundle (test/deploy/smoke.test.ts).
  xml2js: { esModule: false, exports: ['Builder', 'Parser'] },
};

const COMMON_OPTIONS = {
  absWorkingDir: root,
  // Lets an entry outside the repo (a test fixture in a temp dir) resolve this repo's packages.
  nodePaths: [join(root, 'node_modules')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Files imported as something other than code, by extension: the guest's removal script
  // (guest/removal-script.ts) goes into the bundle as its text.
  loader: { '.sh': 'text' },
  // Minified, with a linked source map per file for `NODE_OPTIONS=--enable-source-maps`. s.yaml
  // leaves that flag off by default: loading the maps costs 0.1-0.2x a bare Node start at every
  // cold start, and only an unexpected error's stack needs them.
  // No keepNames: its helper would run at every function a call creates (in the SDK, at each
  // step of tsc's __awaiter), and the errors that get logged or shown set `name` themselves.
  minify: true,
  sourcemap: 'linked',
  // The maps point at the sources in the repo; embedding them would triple the maps' size.
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

async function main() {
  const budget = JSON.parse(await readFile(resolve(root, options.budget), 'utf8'));
  // dist/ is deployed as is (s.yaml `code: ./dist`), so stale files from earlier builds must go.
  await rm(outdir, { recursive: true, force: true });

  const startedAt = performance.now();
  const stages = await surveyStages();
  const sdkPackages = new Set();
  const extraPackages = new Set();
  const rarePackages = new Set();
  const results = [await bundleFunction(stages, sdkPackages, extraPackages)];
  if (stages.used.size > 0) results.push(await bundleStages(stages));
  if (sdkPackages.size > 0) results.push(await bundleSdk(sdkPackages, rarePackages));
  if (extraPackages.size > 0) results.push(await bundleExtra(extraPackages, sdkPackages));
  if (rarePackages.size > 0) results.push(await bundleRare(rarePackages));
  const elapsedMs = Math.round(performance.now() - startedAt);

  const metafile = await writeMetafile(results);
  checkBudget(metafile, budget, elapsedMs);
}

/**
 * Before step 1: which LAZY_STAGES the entry imports (`used`), and the modules those stages import
 * that index.js holds anyway (`shared`), by their metafile path. Both module graphs come from
 * builds that write nothing.
 */
async function surveyStages() {
  const used = new Set();
  const survey = (buildOptions, plugins) =>
    build({ ...COMMON_OPTIONS, ...buildOptions, write: false, sourcemap: false, plugins })
      .then((result) => result.metafile.inputs)
      .catch(buildFailed);
  const functionGraph = await survey({ entryPoints: [options.entry], outdir }, [
    lazyStages(used),
    fromFile({
      file: SDK_FILE,
      packages: new Set(),
      takes: (args) => args.importer === SDK_ADAPTER,
    }),
    replace(LEFT_OUT, REPLACED),
  ]);
  if (used.size === 0) return { used, shared: new Set() };
  const stagesGraph = await survey({ stdin: stagesEntry(used), outdir }, [
    fromHost(new Set()),
    replace(LEFT_OUT, REPLACED),
  ]);
  // Only the repo's own modules, and only those a stage-only module imports directly (the rest
  // come with them). A package is bundled again, tree-shaken to what the stages use: handing its
  // module over would keep every one of its exports in index.js.
  const shared = new Set();
  for (const [path, { imports }] of Object.entries(stagesGraph)) {
    if (path in functionGraph) continue;
    for (const imported of imports) {
      if (imported.path in functionGraph && packageOf(imported.path) === undefined) {
        shared.add(imported.path);
      }
    }
  }
  return { used, shared };
}

/** Step 1: index.js; the packages the SDK adapter imports are collected for steps 3 and 4. */
function bundleFunction(stages, sdkPackages, extraPackages) {
  return build({
    ...COMMON_OPTIONS,
    entryPoints: [options.entry],
    outfile: join(outdir, 'index.js'),
    plugins: [
      lazyStages(stages.used, stages.shared),
      fromFile({
        file: SDK_FILE,
        packages: sdkPackages,
        takes: (args) => args.importer === SDK_ADAPTER && !(args.path in EXTRA_MODELS),
      }),
      fromFile({
        file: EXTRA_FILE,
        packages: extraPackages,
        takes: (args) => args.importer === SDK_ADAPTER && args.path in EXTRA_MODELS,
        lazy: EXTRA_MODELS,
      }),
      replace(LEFT_OUT, REPLACED),
    ],
  }).catch(buildFailed);
}

/**
 * Step 2: stages.js, whose `load(shared)` returns the stages by path. Each module in `shared` is
 * read from what index.js hands over rather than bundled again.
 */
function bundleStages({ used, shared }) {
  return build({
    ...COMMON_OPTIONS,
    stdin: stagesEntry(used),
    outfile: join(outdir, STAGES_FILE),
    plugins: [fromHost(shared), replace(LEFT_OUT, REPLACED)],
  }).catch(buildFailed);
}

/** Step 3: ecs-sdk.js; the DEFERRED packages it meets are collected into `rarePackages`. */
function bundleSdk(sdkPackages, rarePackages) {
  return bundlePackages(SDK_FILE, sdkPackages, [
    fromFile({
      file: RARE_FILE,
      packages: rarePackages,
      takes: (args) => args.path in DEFERRED,
      lazy: DEFERRED,
    }),
    replace(LEFT_OUT, REPLACED),
  ]);
}

/** Step 4: ecs-sdk-extra.js; the packages ecs-sdk.js holds are read from it. */
function bundleExtra(extraPackages, sdkPackages) {
  return bundlePackages(EXTRA_FILE, extraPackages, [
    fromFile({
      file: SDK_FILE,
      packages: sdkPackages,
      takes: (args) => sdkPackages.has(args.path),
    }),
    replace(LEFT_OUT, REPLACED),
  ]);
}

/** Step 5: ecs-sdk-rare.js. */
function bundleRare(rarePackages) {
  return bundlePackages(RARE_FILE, rarePackages, [replace(LEFT_OUT, REPLACED)]);
}

/** Bundles `packages` into one file whose exports are the packages, by name. */
function bundlePackages(file, packages, plugins) {
  const requires = [...packages].map(
    (name) => `${JSON.stringify(name)}: require(${JSON.stringify(name)})`,
  );
  return build({
    ...COMMON_OPTIONS,
    stdin: {
      contents: `module.exports = {${requires.join(',')}};`,
      resolveDir: root,
      sourcefile: file,
    },
    outfile: join(outdir, file),
    plugins,
  }).catch(buildFailed);
}

function buildFailed() {
  // esbuild has already printed the errors with their source locations; its stack adds nothing.
  process.exit(1);
}

/** The steps' metafiles as one, for humans (esbuild's analyzer): outside dist/, not deployed. */
async function writeMetafile(results) {
  const metafile = {
    inputs: Object.assign({}, ...results.map((result) => result.metafile.inputs)),
    outputs: Object.assign({}, ...results.map((result) => result.metafile.outputs)),
  };
  await mkdir(dirname(metafilePath), { recursive: true });
  await writeFile(metafilePath, JSON.stringify(metafile));
  return metafile;
}

/**
 * Step 6: prints each file's size by package, and fails the build when a file or the total is
 * over bundle-budget.json. The budget is on code, which every cold start compiles; a source map
 * is read only on request.
 */
function checkBudget(metafile, budget, elapsedMs) {
  let totalBytes = 0;
  const overBudget = [];
  for (const [path, output] of Object.entries(metafile.outputs)) {
    const name = relative(outdir, resolve(root, path));
    if (name.endsWith('.map')) continue;
    const limit = budget.maxBytes[name] ?? 0;
    totalBytes += output.bytes;
    console.log(
      `${relative(root, resolve(root, path))}  ${kib(output.bytes)} of ${kib(limit)} budget`,
    );
    printSizeByPackage(output.inputs);
    if (output.bytes > limit) overBudget.push(`${name} by ${kib(output.bytes - limit)}`);
  }
  console.log(
    `total  ${kib(totalBytes)} of ${kib(budget.maxBytes.total)} budget  (${elapsedMs} ms)`,
  );
  if (totalBytes > budget.maxBytes.total) {
    overBudget.push(`the total by ${kib(totalBytes - budget.maxBytes.total)}`);
  }
  console.log(`metafile: ${relative(root, metafilePath)}`);

  if (overBudget.length > 0) {
    console.error(
      `Bundle exceeds the budget in ${options.budget}: ${overBudget.join(', ')}. ` +
        'Look at the biggest packages above: import per-operation model modules, not whole clients.',
    );
    process.exitCode = 1;
  }
}

/**
 * The packages `takes` accepts are read from `file` (built next, from `packages`) instead of being
 * bundled here. Without `lazy`, `file` is required when the importing module runs. With `lazy`
 * (DEFERRED's shape), the package becomes a stand-in whose exports require `file` when called.
 */
function fromFile({ file, packages, takes, lazy }) {
  const read = (name) => `require(${JSON.stringify(`./${file}`)})[${JSON.stringify(name)}]`;
  return {
    name: `from-${file}`,
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || !takes(args)) return undefined;
        packages.add(args.path);
        return { path: args.path, namespace: file };
      });
      pluginBuild.onResolve({ filter: /.*/, namespace: file }, (args) => ({
        path: args.path,
        external: true,
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: file }, (args) => {
        if (!lazy) return { contents: `module.exports = ${read(args.path)};`, loader: 'js' };
        const { esModule, exports } = lazy[args.path];
        return {
          contents: `let loaded;
const load = () => (loaded ??= ${read(args.path)});
const later = (name) => function (...args) {
  const real = load()[name];
  return new.target ? new real(...args) : real.apply(this, args);
};
${esModule ? "Object.defineProperty(exports, '__esModule', { value: true });" : ''}
${exports.map((name) => `exports[${JSON.stringify(name)}] = later(${JSON.stringify(name)});`).join('\n')}`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * A dynamic import of one of LAZY_STAGES becomes a require of STAGES_FILE, whose `load` it hands
 * the `shared` modules. Without `shared` (the survey), the stage is left out.
 */
function lazyStages(used, shared) {
  return {
    name: 'lazy-stages',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import' || args.namespace !== 'file') return undefined;
        const stage = LAZY_STAGES.find(
          (path) => path === resolve(args.resolveDir, `${args.path}.ts`),
        );
        if (stage === undefined) return undefined;
        used.add(stage);
        return shared ? { path: stage, namespace: STAGES_FILE } : { path: stage, external: true };
      });
      pluginBuild.onResolve({ filter: /.*/, namespace: STAGES_FILE }, (args) =>
        args.path === `./${STAGES_FILE}` ? { path: args.path, external: true } : undefined,
      );
      pluginBuild.onLoad({ filter: /.*/, namespace: STAGES_FILE }, (args) => {
        const handed = [...shared].map(
          (path) => `${JSON.stringify(path)}: require(${JSON.stringify(resolve(root, path))})`,
        );
        const load = `require(${JSON.stringify(`./${STAGES_FILE}`)}).load({${handed.join(',')}})`;
        return {
          contents: `module.exports = ${load}[${JSON.stringify(relative(root, args.path))}];`,
          resolveDir: root,
          loader: 'js',
        };
      });
    },
  };
}

/** Where STAGES_FILE keeps the modules index.js hands it. */
const HOST_MODULES = 'host-modules';

/** STAGES_FILE's entry: `load` keeps the modules it is handed, then requires the stages. */
function stagesEntry(used) {
  const stages = [...used].map(
    (stage) => `${JSON.stringify(relative(root, stage))}: require(${JSON.stringify(stage)})`,
  );
  return {
    contents: `const host = require(${JSON.stringify(HOST_MODULES)});
exports.load = (shared) => {
  Object.assign(host, shared);
  return {${stages.join(',')}};
};`,
    resolveDir: root,
    sourcefile: STAGES_FILE,
  };
}

/** The modules in `shared` are read from HOST_MODULES instead of being bundled. */
function fromHost(shared) {
  return {
    name: 'from-host',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
        if (args.path === HOST_MODULES) return { path: HOST_MODULES, namespace: HOST_MODULES };
        if (args.pluginData === HOST_MODULES || args.namespace !== 'file') return undefined;
        const { path, external } = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: HOST_MODULES,
        });
        const key = relative(root, path);
        return !external && shared.has(key) ? { path: key, namespace: HOST_MODULES } : undefined;
      });
      pluginBuild.onLoad({ filter: /.*/, namespace: HOST_MODULES }, (args) => ({
        contents:
          args.path === HOST_MODULES
            ? 'module.exports = {};'
            : `module.exports = require(${JSON.stringify(HOST_MODULES)})[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
}

/** LEFT_OUT's modules become one that throws when used; REPLACED's their replacement. */
function replace(leftOut, replaced) {
  const rules = [
    ...leftOut.map((rule) => ({ ...rule, contents: leftOutModule(rule.module) })),
    ...replaced,
  ];
  return {
    name: 'replace',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        const rule = rules.find(
          ({ requirer, module }) => module === args.path && packageOf(args.importer) === requirer,
        );
        return (
          rule && {
            path: `${rule.requirer}:${rule.module}`,
            namespace: 'replaced',
            pluginData: rule,
          }
        );
      });
      pluginBuild.onLoad({ filter: /.*/, namespace: 'replaced' }, (args) => ({
        contents: args.pluginData.contents,
        loader: 'js',
      }));
    },
  };
}

function leftOutModule(module) {
  const message = `${module} was left out of this bundle (build.mjs LEFT_OUT), as the function had no use for it.`;
  // Interop helpers read __esModule, and __exportStar enumerates keys, at require time: neither
  // may throw.
  return `const fail = () => {
  throw new Error(${JSON.stringify(message)});
};
module.exports = new Proxy(function () {}, {
  get: (_, key) => (key === '__esModule' ? undefined : fail()),
  apply: fail,
  construct: fail,
});`;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function printSizeByPackage(inputs) {
  const shown = 8;
  const sizes = new Map();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    // Namespaced paths are this file's stand-ins (left-out:ws, ecs-sdk.js:…) and entries.
    const name = packageOf(path) ?? (/:|^[^/]*$/.test(path) ? '(build.mjs)' : '(this repo)');
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
  return match ? match[1] : undefined;
}

await main();

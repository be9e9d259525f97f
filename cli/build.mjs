// Bundles the ops CLI into dist-cli/detach-key-pair.cjs so the package.json `bin` runs under plain
// node. Dependencies stay in node_modules (the CLI runs from the repo, or an installed package).
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist-cli/detach-key-pair.cjs',
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});

// The CLI's entry (scripts/smoke runs it): the compiled CLI from the current build when every source
// it was built from is unchanged, else the TypeScript through tsx (which rebuilds: scripts/smoke.ts
// calls scripts/build.ts ensureBuild before the suite runs, so the next run is compiled again).
// Plain JavaScript, so that it starts without a TypeScript loader (about 0.3 s of tsx, and 0.5 s more
// to load the CLI and the simulator through it). The freshness rule is scripts/fresh.mjs, which
// scripts/build.ts uses too.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBuild } from './fresh.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = process.env.SMOKE_BUILD === 'off' ? undefined : currentBuild(root, ['smoke.js'])?.dir;
let cli;
if (dir) {
  cli = await import(pathToFileURL(join(dir, 'smoke.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'scripts', 'smoke.ts')).href);
}
process.exitCode = await cli.main(process.argv.slice(2));

// The CLI's entry (scripts/smoke runs it): the compiled CLI from the current build when every source
// it was built from is unchanged, else the TypeScript through tsx (which rebuilds: scripts/smoke.ts
// calls scripts/build.ts ensureBuild before the suite runs, so the next run is compiled again).
// Plain JavaScript, so that it starts without a TypeScript loader (about 0.3 s of tsx, and 0.5 s more
// to load the CLI and the simulator through it). The freshness rule is scripts/build.ts `fresh`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The build directory when its smoke.js is current, else undefined. */
function currentBuild() {
  if (process.env.SMOKE_BUILD === 'off') return undefined;
  try {
    const current = JSON.parse(readFileSync(join(root, '.tmp', 'build', 'current.json'), 'utf8'));
    if (!existsSync(join(current.dir, 'smoke.js'))) return undefined;
    for (const [path, size, mtimeMs] of current.inputs) {
      const s = statSync(join(root, path));
      if (s.size !== size || s.mtimeMs !== mtimeMs) return undefined;
    }
    return current.dir;
  } catch {
    return undefined;
  }
}

const dir = currentBuild();
let cli;
if (dir) {
  cli = await import(pathToFileURL(join(dir, 'smoke.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'scripts', 'smoke.ts')).href);
}
process.exitCode = await cli.main(process.argv.slice(2));

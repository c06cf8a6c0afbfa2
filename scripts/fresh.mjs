// Whether the current build (scripts/build.ts) is still the sources' build: plain JavaScript, so that
// scripts/launch.mjs can ask before any TypeScript loader is running, and scripts/build.ts asks the same.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where scripts/build.ts records the current build. */
export function currentBuildFile(root) {
  return join(root, '.tmp', 'build', 'current.json');
}

/**
 * The current build's record (`.tmp/build/current.json` under `root`) when every file of `outputs`
 * exists in its directory and every source it was built from is unchanged (size and mtime), else
 * undefined.
 */
export function currentBuild(root, outputs) {
  try {
    const current = JSON.parse(readFileSync(currentBuildFile(root), 'utf8'));
    if (!outputs.every((f) => existsSync(join(current.dir, f)))) return undefined;
    for (const [path, size, mtimeMs] of current.inputs) {
      const s = statSync(join(root, path));
      if (s.size !== size || s.mtimeMs !== mtimeMs) return undefined;
    }
    return current;
  } catch {
    return undefined;
  }
}

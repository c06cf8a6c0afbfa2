/**
 * The compiled suite Playwright runs: the config, every spec and the reporter, bundled by esbuild into
 * ES modules with shared chunks (one copy of each module, so fixtures keep their identity), our
 * packages left external. Playwright then loads plain JavaScript with its TypeScript loader off
 * (`PW_DISABLE_TS_ESM`): no loader thread, no per-file transform-cache lookup, and a few files
 * instead of ~60 in the runner and in every worker (measured by scripts/bench).
 *
 * Built on demand and cached under `.tmp/build/`: a build is a directory named by the hash of its
 * output, written under a temporary name and renamed, so concurrent runs (fleets, self-tests) never
 * see half a build; `current.json` records the inputs (path, size, mtime) esbuild read, and a run
 * rebuilds when any of them changed. A new file enters the graph only through an edited import, so
 * the edit is what is seen. Source maps are linked, so test locations and stacks name the .ts files.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentBuild, currentBuildFile, type CurrentBuild } from './fresh.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BUILDS = join(ROOT, '.tmp', 'build');
const CURRENT = currentBuildFile(ROOT);

function specFiles(): string[] {
  return readdirSync(join(ROOT, 'tests')).filter((f) => /\.spec\.ts$/.test(f)).sort().map((f) => join('tests', f));
}

function fresh(specs: string[]): string | undefined {
  const c = currentBuild(ROOT, ['playwright.config.js', 'engine.js', 'smoke.js']);
  return c && c.specs.join('\n') === specs.join('\n') ? c.dir : undefined;
}

/** The directory holding the compiled `playwright.config.js`, built now when a source changed. */
export async function ensureBuild(): Promise<string> {
  const specs = specFiles();
  const ready = fresh(specs);
  if (ready) return ready;
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    // The reporter is compiled to reporter.js at the top: report/ there is the sources' (see below).
    entryPoints: ['playwright.config.ts', { in: 'report/reporter.ts', out: 'reporter' }, { in: 'scripts/engine.ts', out: 'engine' }, { in: 'scripts/smoke.ts', out: 'smoke' }, ...specs],
    outdir: '/out',
    outbase: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    // The maps point at the sources (linked into the build): no copy inside, half the parsing.
    sourcesContent: false,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    write: false,
    logLevel: 'error',
    plugins: [
      {
        // `import.meta.url` keeps naming the source file (clients/trust.ts finds clients/ca/ by it);
        // the config alone keeps its own, to find the compiled specs and reporter beside it.
        name: 'source-location',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            if (args.path === join(ROOT, 'playwright.config.ts') || !text.includes('import.meta')) return { contents: text, loader: 'ts' };
            return {
              contents: text
                .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
                .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))),
              loader: 'ts',
            };
          });
        },
      },
    ],
  });
  const hash = createHash('sha256');
  for (const f of result.outputFiles) hash.update(f.path).update(f.contents);
  const dir = join(BUILDS, hash.digest('hex').slice(0, 16));
  if (!existsSync(dir)) {
    const tmp = `${dir}.tmp-${process.pid}`;
    for (const f of result.outputFiles) {
      const out = join(tmp, relative('/out', f.path));
      mkdirSync(dirname(out), { recursive: true });
      // Source maps name the sources relative to the output; make them absolute, so a map does not
      // depend on where the build lives.
      writeFileSync(out, out.endsWith('.map') ? mirroredSources(f.text, dirname(f.path)) : f.contents);
    }
    // The sources appear inside the build, where the maps name them: each top folder links to the
    // real one, and tests/ (compiled specs) holds a link per spec. Locations and stacks then name
    // the real files, and a spec's location relative to tests/ is what it is without a build.
    const tops = new Set(Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/')).map((p) => p.split('/')[0] ?? p));
    for (const top of tops) {
      if (top === 'tests') continue;
      symlinkSync(relative(tmp, join(ROOT, top)), join(tmp, top));
    }
    for (const spec of specs) symlinkSync(relative(join(tmp, 'tests'), join(ROOT, spec)), join(tmp, spec));
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another run built the same output first
    }
  }
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.startsWith('node_modules/'))
    .map((p): CurrentBuild['inputs'][number] => {
      const s = statSync(join(ROOT, p));
      return [p, s.size, s.mtimeMs];
    });
  const tmpCurrent = `${CURRENT}.tmp-${process.pid}`;
  writeFileSync(tmpCurrent, JSON.stringify({ dir, specs, inputs } satisfies CurrentBuild));
  renameSync(tmpCurrent, CURRENT);
  prune(dir);
  return dir;
}

/**
 * esbuild names a map's sources relative to where it wrote the map (`/out/...`, in memory, outside
 * the sources); name them as the same path inside the build, where the links are.
 */
function mirroredSources(text: string, virtualDir: string): string {
  const map = JSON.parse(text) as { sources: string[] };
  map.sources = map.sources.map((s) => relative(virtualDir, join('/out', relative(ROOT, resolve(virtualDir, s)))));
  return JSON.stringify(map);
}

/** Keeps the current build and the four newest others (a run may still be using one). */
function prune(keep: string): void {
  try {
    const dirs = readdirSync(BUILDS)
      .filter((d) => /^[0-9a-f]{16}$/.test(d) && join(BUILDS, d) !== keep)
      .map((d) => ({ d, t: statSync(join(BUILDS, d)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { d } of dirs.slice(4)) rmSync(join(BUILDS, d), { recursive: true, force: true });
  } catch {
    // pruning is best effort
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'build.ts')) {
  process.stdout.write(`${await ensureBuild()}\n`);
}

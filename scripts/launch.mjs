// The CLI's entry (scripts/smoke runs it): the compiled CLI from the current build when every source
// it was built from is unchanged, else the TypeScript through tsx (which rebuilds: scripts/smoke.ts
// calls scripts/build.ts ensureBuild before the suite runs, so the next run is compiled again).
// Plain JavaScript, so that it starts without a TypeScript loader (about 0.3 s of tsx, and 0.5 s more
// to load the CLI and the simulator through it). The freshness rule is scripts/fresh.mjs, which
// scripts/build.ts uses too.
//
// With a current build, the in-process engine (scripts/engine.ts) is started at once, on standby, for
// a run that will likely use it: it loads (about 0.4 s; Playwright's library loads later, as the login
// starts) while this process loads the CLI and starts the simulator, and waits on file descriptor 3
// for the run's whole environment and arguments. The CLI hands it over (scripts/smoke.ts `runOne`) or
// ends it unused.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentBuild } from './fresh.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const dir = process.env.SMOKE_BUILD === 'off' ? undefined : currentBuild(root, ['smoke.js', 'engine.js'])?.dir;

/** Whether this command will likely run the engine once: not help, a listing, Playwright or a fleet. */
function likelyEngineRun() {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--list' || a === '--engine' || a.startsWith('--engine='))) return false;
  if ((process.env.SMOKE_ENGINE ?? '').toLowerCase() === 'playwright') return false;
  return argv.filter((a) => a === '--sovereign' || a === '--env-file' || a === '--sim').length <= 1 && !argv.some((a) => a.includes(','));
}

let cli;
let standby;
if (dir) {
  if (likelyEngineRun()) {
    const script = join(dir, 'engine.js');
    const child = spawn(process.execPath, [script], { cwd: root, env: { ...process.env, SMOKE_ENGINE_STANDBY: '3' }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    standby = { child, script };
  }
  cli = await import(pathToFileURL(join(dir, 'smoke.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'scripts', 'smoke.ts')).href);
}
try {
  process.exitCode = await cli.main(argv, standby ? { standby } : {});
} finally {
  // An engine no run took is ended without a word (not waited for).
  if (standby && !standby.taken) {
    standby.child.kill();
    standby.child.unref();
    for (const s of standby.child.stdio) s?.destroy();
  }
}

/**
 * One run targets one Sovereign. The configuration is read and validated once (clients/config.ts);
 * `scripts/smoke` validates it before starting Playwright, so an invalid configuration never gets here.
 *
 * One project: Playwright never shares a worker process between projects, and a worker's boot is the
 * largest cost of a run on a small machine. `preflight.kube-access` gates the cluster checks through a
 * gate each worker evaluates once (decisions/cluster-gate.ts `clusterGate`): when the cluster cannot
 * be read, preflight is the one red line and the cluster checks skip naming it, while the checks that
 * need no cluster (edge, login) run regardless. No retries: polls absorb convergence, retries would
 * only hide it.
 *
 * Order: Playwright hands out tests in file-name order, so the specs are numbered (as its docs
 * suggest): preflight, the cluster, the Hetzner edge, and last what goes through console.<fqdn> or
 * auth.<fqdn>. A wedged load balancer then holds workers only after everything that does not need
 * it has run, and it is waited for once (clients/silent.ts).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { formatProblems, loadConfig } from './clients/config.js';

// scripts/smoke starts Playwright while the simulated Sovereign starts (Playwright's own start takes
// as long): the Sovereign's settings then arrive here on file descriptor SMOKE_ENV_FROM_FD, once it
// listens. They go into this process's environment before anything reads it, so every worker (each
// a fork of this process, started later) inherits them as if they had been there from the start.
// (Internal between scripts/smoke and this file, not a setting: not in sovereigns/example.env.)
const ENV_FROM_FD = 'SMOKE_ENV_FROM_FD';
const envFd = process.env[ENV_FROM_FD];
if (envFd) {
  delete process.env[ENV_FROM_FD];
  const chunks: Buffer[] = [];
  for await (const c of createReadStream('', { fd: Number(envFd) })) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  // Nothing arrives when the simulator could not start: scripts/smoke says why and stops this run.
  if (!text) process.exit(2);
  Object.assign(process.env, JSON.parse(text) as Record<string, string>);
}
// One start time for the run, set here in the runner's process and inherited by every worker (each
// worker loads this file again and keeps it): SMOKE_AWAIT counts from it and shared records use it.
process.env['SMOKE_RUN_STARTED'] ??= String(Date.now());
const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${formatProblems(loaded.problems)}\n`);
  process.exit(2);
}
const config = loaded.config;

function suiteCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

const reportDir = config.reportDir;
const commit = suiteCommit();
// Checks run concurrently, one per worker; a worker is a process whose boot is CPU-bound, so a worker
// per core finishes soonest (measured by scripts/bench on 2 cores: 2 workers 5.7 s, 3 6.8 s, 4 7.1 s).
// Waits do not need more: SMOKE_AWAIT is counted from the start of the run, and a silent console
// is waited for once per run (clients/silent.ts).
const workers = Number(process.env['SMOKE_WORKERS'] ?? '') || Math.min(6, Math.max(2, availableParallelism()));
// scripts/smoke runs this file compiled (scripts/build.ts: .tmp/build/<hash>/playwright.config.js),
// with the specs and the reporter compiled beside it; `playwright test` runs it as TypeScript.
const compiled = import.meta.url.endsWith('.js');

export default defineConfig({
  testDir: './tests',
  // The compiled build is plain JavaScript: never transform it (and its chunks are not tests).
  build: { external: ['**/.tmp/build/**'] },
  // Compiled, tests/ also links each spec's source (for locations): only the .js files are tests.
  ...(compiled ? { testMatch: '**/*.spec.js' } : {}),
  outputDir: join(reportDir, 'artifacts'),
  fullyParallel: true,
  workers,
  retries: 0,
  forbidOnly: true,
  timeout: config.awaitMs + config.timeoutMs * 6 + 30_000,
  // The last resort: whatever hangs, the run ends (and fails) within this. A waiting run needs about
  // SMOKE_AWAIT plus one SMOKE_TIMEOUT per silent peer.
  globalTimeout: config.awaitMs + config.timeoutMs * 12 + 120_000,
  expect: { timeout: config.timeoutMs },
  metadata: { sovereign: config.sovereign, fqdn: config.fqdn, suiteCommit: commit },
  // The summary reporter tells the story on stdout (instead of Playwright's `list`: a line per check,
  // no code frames for a check's own failure, the root causes at the end) and writes summary.json,
  // summary.md and junit.xml (check failures as <failure>, root cause first). It comes first: its onEnd
  // puts the linked root cause on each failed check before the HTML reporter writes the report.
  reporter: [
    [
      compiled ? './reporter.js' : './report/reporter.ts',
      {
        outputDir: reportDir,
        sovereign: config.sovereign,
        fqdn: config.fqdn,
        provenance: { 'suite commit': commit, sovereign: config.sovereign, fqdn: config.fqdn },
        strict: config.strict,
        allowSkip: config.allowSkip,
      },
    ],
    ['json', { outputFile: join(reportDir, 'report.json') }],
    ['html', { outputFolder: join(reportDir, 'html'), open: 'never' }],
  ],
  use: {
    // The adapter (fixtures/run-check.ts, with checks/context.ts) manages its own context, tracing and screenshots,
    // so that no token or cookie reaches an artifact unredacted.
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
});

/**
 * One run targets one Sovereign. The configuration is read and validated once (fixtures/config.ts);
 * `scripts/smoke` validates it before starting Playwright, so an invalid configuration never gets here.
 *
 * Projects: `preflight` gates `cluster` (one red line when the cluster cannot be read); `outside`
 * holds the checks that need no cluster (edge, login) and runs regardless. No retries: polls absorb
 * convergence, retries would only hide it.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { formatProblems, loadConfig } from './fixtures/config.js';

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
// Checks run concurrently; each worker is a process that boots Playwright and the clients, so on a
// small runner a few workers finish sooner than many (measured by scripts/bench: 3 on 2 cores).
const workers = Number(process.env['SMOKE_WORKERS'] ?? '') || Math.min(6, Math.max(3, availableParallelism() + 1));

export default defineConfig({
  testDir: './tests',
  outputDir: join(reportDir, 'artifacts'),
  fullyParallel: true,
  workers,
  retries: 0,
  forbidOnly: true,
  timeout: config.awaitMs + config.timeoutMs * 6 + 30_000,
  expect: { timeout: config.timeoutMs },
  metadata: { sovereign: config.sovereign, fqdn: config.fqdn, suiteCommit: commit },
  reporter: [
    ['list', { printSteps: false }],
    ['junit', { outputFile: join(reportDir, 'junit.xml') }],
    ['json', { outputFile: join(reportDir, 'report.json') }],
    ['html', { outputFolder: join(reportDir, 'html'), open: 'never' }],
    [
      './fixtures/reporter.ts',
      {
        outputDir: reportDir,
        sovereign: config.sovereign,
        fqdn: config.fqdn,
        provenance: { 'suite commit': commit, sovereign: config.sovereign, fqdn: config.fqdn },
      },
    ],
  ],
  use: {
    // The browser fixture (fixtures/handover.ts) manages its own context, tracing and screenshots,
    // so that no token or cookie reaches an artifact unredacted.
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
  projects: [
    { name: 'preflight', testMatch: /preflight\.spec\.ts$/ },
    { name: 'cluster', testMatch: /cluster\/.*\.spec\.ts$/, dependencies: ['preflight'] },
    { name: 'outside', testMatch: /(edge|auth)\/.*\.spec\.ts$/ },
  ],
});

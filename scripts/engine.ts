/**
 * The in-process engine: what `scripts/smoke` runs for one Sovereign by default (`SMOKE_ENGINE=direct`).
 * It judges the selected checks of the registry in this one process (checks/runner.ts `judgeChecks`:
 * concurrently, Chromium launched at once while the cluster checks run, the login's session opened
 * once its gate has passed), prints a line per check as it finishes, then writes the same reports
 * the Playwright reporter writes (report/summary.ts: `summary.json`, `summary.md`, `junit.xml`) and
 * its own HTML report (report/html.ts), and ends with the root causes and the closing line.
 *
 * Why a second engine beside the Playwright specs (`SMOKE_ENGINE=playwright`, tests/*.spec.ts, which
 * judge the very same check values through fixtures/run-check.ts): Playwright Test replaces a worker
 * process after every failed test (about 0.8 s of CPU each on 2 cores, measured with an empty spec
 * of ten failing tests: 11.9 s of CPU against 3.6 s passing), so a broken Sovereign took twice as long
 * to judge as a healthy one; and its runner and first worker start before any check can. Here a red
 * check costs what its own observations cost.
 *
 * Arguments: `--grep RE`, `--grep-invert RE` (as Playwright reads them). The configuration comes from
 * the environment (clients/config.ts `loadConfig`), the simulator's on file descriptor
 * `SMOKE_ENV_FROM_FD` when scripts/smoke starts it at the same time (as playwright.config.ts reads it).
 * Exit code: 0 passed, 1 failed (contract §4), 2 invalid configuration.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { copyFileSync, createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, type Attach } from '../checks/context.js';
import { CHECKS, selectChecks } from '../checks/index.js';
import { summarizeVerdicts } from '../checks/outcome.js';
import { judgeChecks } from '../checks/runner.js';
import { formatProblems, loadConfig, type SovereignConfig } from '../clients/config.js';
import { writeHtmlReport, type HtmlCheckDetail } from '../report/html.js';
import { redact } from '../report/redact.js';
import { writeSummaryFiles } from '../report/summary.js';
import { checkLine, closingLine, paintFor, renderEnd, StatusLine } from '../report/terminal.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');

/**
 * Checks judged at once. They mostly wait on the network, so more than one per core; not all twenty:
 * a Sovereign's API server and load balancer see at most this many of the suite's checks at a time.
 */
const CONCURRENCY = 6;

/**
 * The settings scripts/smoke hands over on a file descriptor (see the module doc): the simulator's
 * variables, merged into the environment; or, for an engine started on standby
 * (`SMOKE_ENGINE_STANDBY`, scripts/launch.mjs), the whole environment of the run, which replaces this
 * process's, and its arguments. Undefined when nothing arrives (the simulator could not start, or the
 * CLI did not need this engine: it says why).
 */
async function settingsFromFd(argv: readonly string[]): Promise<{ argv: readonly string[] } | undefined> {
  const standby = process.env['SMOKE_ENGINE_STANDBY'];
  const fd = standby ?? process.env['SMOKE_ENV_FROM_FD'];
  if (!fd) return { argv };
  delete process.env['SMOKE_ENV_FROM_FD'];
  const chunks: Buffer[] = [];
  for await (const c of createReadStream('', { fd: Number(fd) })) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  if (!standby) {
    Object.assign(process.env, JSON.parse(text) as Record<string, string>);
    return { argv };
  }
  // Exactly the run's environment: a variable the CLI left out (a real credential on a simulated run)
  // must not survive from the environment this process was started with.
  const run = JSON.parse(text) as { env: Record<string, string>; argv: string[] };
  for (const k of Object.keys(process.env)) if (!Object.hasOwn(run.env, k)) delete process.env[k];
  Object.assign(process.env, run.env);
  return { argv: run.argv };
}

/** The suite's commit, for the report's provenance (asked while the checks run: not after them). */
function suiteCommit(): Promise<string> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT }, (err, stdout) => resolve(err ? 'unknown' : stdout.trim() || 'unknown'));
  });
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const EXTENSIONS: Record<string, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'application/zip': '.zip', 'application/json': '.json', 'text/plain': '.txt', 'text/html': '.html' };

/** Evidence files go to `html/data/<check>-<name>`, and the report links them. */
function attachmentsFor(config: SovereignConfig, details: Map<string, HtmlCheckDetail>): (checkId: string) => Attach {
  const data = join(config.reportDir, 'html', 'data');
  return (checkId) => async (name, body, contentType) => {
    mkdirSync(data, { recursive: true });
    const ext = EXTENSIONS[contentType.split(';')[0]?.trim() ?? ''] ?? '';
    const base = `${checkId}-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
    const file = base.endsWith(ext) ? base : `${base}${ext}`;
    if ('path' in body) copyFileSync(body.path, join(data, file));
    // Text evidence is redacted once more on its way to disk (the browser's is already).
    else writeFileSync(join(data, file), typeof body.body === 'string' ? redact(body.body) : body.body);
    const d = details.get(checkId) ?? { steps: [], attachments: [] };
    d.attachments.push({ name, file: `data/${file}`, contentType });
    details.set(checkId, d);
  };
}

export async function runEngine(givenArgv: readonly string[]): Promise<number> {
  const settings = await settingsFromFd(givenArgv);
  if (!settings) return 2;
  const checks = selectChecks(CHECKS, { grep: option(settings.argv, '--grep'), grepInvert: option(settings.argv, '--grep-invert') });
  process.env['SMOKE_RUN_STARTED'] ??= String(Date.now());
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${formatProblems(loaded.problems)}\n`);
    return 2;
  }
  const config = loaded.config;
  const startedAt = new Date(config.runStartedAt);
  const paint = paintFor(process.env, !!process.stdout.isTTY);
  const status = new StatusLine(process.stdout, !!process.stdout.isTTY);
  const print = (text: string): void => {
    for (const line of text.split('\n')) status.line(line);
  };
  print(`sovereign-smoke: ${checks.length} check${checks.length === 1 ? '' : 's'} against ${config.sovereign} (${config.fqdn})${config.strict ? ', strict' : ''}`);

  // Evidence of an earlier run in the same report directory is not this run's (index.html is rewritten).
  rmSync(join(config.reportDir, 'html', 'data'), { recursive: true, force: true });
  const details = new Map<string, HtmlCheckDetail>();
  const commitAsked = suiteCommit();
  const ctx = createContext(config);
  let verdicts;
  let closing: Promise<void> | undefined;
  try {
    verdicts = await judgeChecks(ctx, checks, {
      concurrency: CONCURRENCY,
      // Playwright's library loads as the login starts, while the other checks' requests are in
      // flight: it holds the event loop about 0.5 s (2 s on a busy machine), which every deadline
      // discounts (clients/deadline.ts).
      warmBrowser: true,
      // The Playwright specs' budget (playwright.config.ts `timeout`), as a last resort per check.
      budgetMs: config.awaitMs + config.timeoutMs * 6 + 30_000,
      attach: attachmentsFor(config, details),
      onVerdict: (v) => print(checkLine({ id: v.id, status: v.status, durationMs: v.durationMs, ...(v.message ? { message: redact(v.message) } : {}), ...(v.cause && v.status === 'failed' ? { causeId: v.cause } : {}) }, paint)),
    });
  } finally {
    // The browser and the connections close while the reports are written (every session has ended
    // and attached its evidence before its verdict).
    closing = ctx.close().catch(() => undefined);
  }
  const commit = await commitAsked;
  const summary = summarizeVerdicts(verdicts, checks, {
    sovereign: config.sovereign,
    fqdn: config.fqdn,
    startedAt,
    provenance: { 'suite commit': commit, sovereign: config.sovereign, fqdn: config.fqdn },
    strict: config.strict,
    allowSkip: config.allowSkip,
  });
  for (const v of verdicts) {
    const d = details.get(v.id) ?? { steps: [], attachments: [] };
    d.steps = v.steps;
    if (v.transcript) d.transcript = v.transcript;
    details.set(v.id, d);
  }
  writeSummaryFiles(config.reportDir, summary);
  writeHtmlReport(config.reportDir, summary, details);
  status.stop();
  process.stdout.write(`${renderEnd(summary, paint, config.reportDir)}\n\n${closingLine(summary.counts)}\n`);
  await closing;
  return summary.verdict === 'passed' ? 0 : 1;
}

if (process.argv[1] && /engine\.[jt]s$/.test(process.argv[1])) {
  let code = 1;
  try {
    code = await runEngine(process.argv.slice(2));
  } catch (err) {
    // A crash of the suite itself (not a check's verdict): shown with its stack, redacted.
    process.stdout.write(`✗ the suite itself failed: ${redact(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  }
  // Checks past their budget may still hold sockets or timers: the verdict is written, so end here.
  process.exit(code);
}

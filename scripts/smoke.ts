/**
 * `scripts/smoke`: the CLI of contract §1. Resolves the target(s), validates the configuration
 * (exit 2 with every problem before any check), starts the simulated Sovereign when asked to (or, off
 * CI, when no target is named, saying so loudly), runs the suite (the in-process engine, or Playwright
 * with `--engine playwright`) with the configuration in its environment, and ends stdout with `N passed, N failed, N skipped`. Several targets
 * (`--sovereign a,b,c`) make a fleet run: each Sovereign runs isolated, with bounded concurrency, into
 * `<report-dir>/<name>/`, and the fleet gets `fleet.md`/`fleet.json`.
 *
 * A Sovereign is named as the workflow names it (.github/workflows/smoke.yml): `otech64` loads
 * `sovereigns/otech64.env`; `otech64.omani.works` loads the same file when it exists and is the
 * `SOVEREIGN_FQDN` either way. A variable from a dotenv file counts exactly as one from the
 * environment (the environment wins where both set it), `SMOKE_REPORT_DIR` and `SMOKE_STRICT` included.
 * The flags are scripts/cli-args.ts; the targets and their environments scripts/targets.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { selectChecks as matchChecks } from '../checks/select.js';
import { systemChromium } from '../clients/chromium-path.js';
import { formatProblems, loadConfig } from '../clients/config.js';
import type { Summary } from '../report/reporter.js';
import type { SimHandle } from '../sim/index.js';
import { StatusLine } from '../report/terminal.js';
import { parseArgs, USAGE, type CliOptions } from './cli-args.js';
import { renderFleetMarkdown, type FleetEntry, type FleetSummary } from './fleet.js';
import { BANNER, fleetReportDir, noteDefaultSim, prepareTargets, type Env, type Prepared } from './targets.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLAYWRIGHT_CLI = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const TSX_LOADER = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

/**
 * Whether there is a Chromium the suite can drive: SMOKE_CHROMIUM_PATH, a system one, or
 * Playwright's own. Which one is used is the browser fixture's choice (Playwright's own first);
 * this only asks whether any exists, checking the cheap places before loading Playwright (~0.5 s).
 */
async function hasChromium(env: Env): Promise<boolean> {
  if (env['SMOKE_CHROMIUM_PATH'] || systemChromium()) return true;
  try {
    const { chromium } = await import('@playwright/test');
    const own = chromium.executablePath();
    return !!own && existsSync(own);
  } catch {
    return false;
  }
}

/** Makes sure a browser and certutil exist (installs them through scripts/setup when it can). */
async function ensureBrowser(env: Env): Promise<string | undefined> {
  const hasCertutil = (): boolean => spawnSync('sh', ['-c', 'command -v certutil'], { stdio: 'ignore' }).status === 0;
  if ((await hasChromium(env)) && hasCertutil()) return undefined;
  process.stderr.write('smoke: no Chromium or certutil found; installing them (scripts/setup)\n');
  const r = spawnSync(join(ROOT, 'scripts', 'setup'), [], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !(await hasChromium(env)) || !hasCertutil()) {
    return 'a Chromium to drive and certutil (Debian: apt-get install chromium-headless-shell libnss3-tools), or SMOKE_CHROMIUM_PATH; scripts/setup could not install them';
  }
  return undefined;
}

/**
 * The command that judges one target: the in-process engine (scripts/engine.ts, `SMOKE_ENGINE=direct`,
 * the default) or Playwright Test on the specs (`SMOKE_ENGINE=playwright`). Both run compiled
 * (scripts/build.ts, rebuilt when a source changed; Playwright's TypeScript loader off);
 * `SMOKE_BUILD=off` runs the TypeScript sources (tsx, or Playwright's transform) instead (the
 * benchmark compares the two).
 */
async function suiteCommand(opts: CliOptions, env: Env): Promise<{ args: string[]; env: Env }> {
  const select: string[] = [];
  if (opts.grep) select.push('--grep', opts.grep);
  if (opts.grepInvert) select.push('--grep-invert', opts.grepInvert);
  const playwright = (env['SMOKE_ENGINE'] ?? '').toLowerCase() === 'playwright';
  if (env['SMOKE_BUILD'] === 'off') {
    return playwright ? { args: [PLAYWRIGHT_CLI, 'test', ...select], env } : { args: ['--import', TSX_LOADER, join(ROOT, 'scripts', 'engine.ts'), ...select], env };
  }
  const { ensureBuild } = await import('./build.js');
  const dir = await ensureBuild();
  if (!playwright) return { args: [join(dir, 'engine.js'), ...select], env };
  return { args: [PLAYWRIGHT_CLI, 'test', ...select, '--config', join(dir, 'playwright.config.js')], env: { ...env, PW_DISABLE_TS_ESM: '1' } };
}

const CLOSING = /^\d+ passed, \d+ failed, \d+ skipped$/;

interface RunOutcome {
  label: string;
  exitCode: number;
  summary?: Summary;
  error?: string;
}

/**
 * Runs the suite (the engine or Playwright, {@link suiteCommand}) for one prepared target; streams its
 * output (prefixed in a fleet). With `startLater` (starts the simulator and gives its settings), the
 * suite's process is started first and waits for them on file descriptor 3 (scripts/engine.ts, playwright.config.ts):
 * the two starts overlap. When the simulator fails to start, the suite gets nothing and exits, and the failure is thrown.
 */
async function runOne(p: Prepared, opts: CliOptions, prefix: string, startLater?: () => Promise<Env>, standby?: Standby): Promise<RunOutcome> {
  const cmd = await suiteCommand(opts, { ...p.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0', ...(startLater ? { SMOKE_ENV_FROM_FD: '3' } : {}) });
  // The engine scripts/launch.mjs started on standby, when this is the command it was started for: it
  // gets the run's whole environment and arguments (scripts/engine.ts `settingsFromFd`), not only the
  // simulator's settings.
  const waiting = standby && !standby.taken && cmd.args[0] === standby.script ? standby : undefined;
  if (waiting) waiting.taken = true;
  const child = waiting?.child ?? spawn(process.execPath, cmd.args, { cwd: ROOT, env: cmd.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  // The suite's process loads while the simulator starts (each takes about half a second).
  const later = startLater?.();
  const envPipe = child.stdio[3] as Writable;
  envPipe.on('error', () => undefined); // the suite may be gone already (a usage error): it said why
  const handOver = (later ?? Promise.resolve(undefined)).then(
    (env) => {
      if (env) Object.assign(p.env, env);
      if (waiting) {
        const { SMOKE_ENV_FROM_FD: _fd, ...runEnv } = { ...cmd.env, ...env };
        envPipe.end(JSON.stringify({ env: runEnv, argv: cmd.args.slice(1) }));
      } else envPipe.end(env ? JSON.stringify(env) : undefined);
      return undefined;
    },
    (err: unknown) => {
      envPipe.end();
      return err;
    },
  );
  // On a terminal (one Sovereign), the checks' `⌛` wait lines become one status line updated in place;
  // in CI and in fleets (prefixed lines) they stay plain lines.
  const status = new StatusLine(process.stdout, !!process.stdout.isTTY && !prefix);
  const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): Promise<void> =>
    new Promise((done) => {
      const rl = createInterface({ input: stream });
      rl.on('line', (line) => {
        if (CLOSING.test(line.trim())) return; // printed once, by us, at the very end
        if (out === process.stdout) status.line(`${prefix}${line}`);
        else out.write(`${prefix}${line}\n`);
      });
      rl.on('close', () => done());
    });
  const streams = Promise.all([forward(child.stdout as Readable, process.stdout), forward(child.stderr as Readable, process.stderr)]);
  const exitCode: number = await new Promise((done) => child.on('close', (code, signal) => done(code ?? (signal ? 1 : 1))));
  await streams;
  status.stop();
  const failedToStart = await handOver;
  if (failedToStart) throw failedToStart;
  const reportDir = p.env['SMOKE_REPORT_DIR'] ?? '';
  const file = join(reportDir, 'summary.json');
  if (!existsSync(file)) return { label: p.label, exitCode: exitCode === 2 ? 2 : 1, error: `the suite did not produce ${file} (it exited ${exitCode})` };
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  return { label: p.label, exitCode: summary.verdict === 'passed' && exitCode === 0 ? 0 : 1, summary };
}

/** One row of `--list`: a check of the registry. */
export interface ListedCheck {
  id: string;
  tags: readonly string[];
  needs: readonly string[];
  title: string;
}

/**
 * The checks `--grep`/`--grep-invert` select, in the order they run: the registry (checks/index.ts),
 * matched on the test title (`<id>: <title>`) and tags, as Playwright matches them.
 */
export function selectChecks(checks: readonly { id: string; title: string; testTitle: string; tags: readonly string[]; needs: readonly string[] }[], opts: Pick<CliOptions, 'grep' | 'grepInvert'>): ListedCheck[] {
  return matchChecks(checks, opts).map((c) => ({ id: c.id, tags: c.tags, needs: c.needs, title: c.title }));
}

/** The `--list` text: one line per check (id, tags, needs, title), then the count. */
export function renderList(rows: readonly ListedCheck[]): string {
  const needs = (r: ListedCheck): string => (r.needs.length ? r.needs.join(',') : '-');
  const w = Math.max(...rows.map((r) => r.id.length), 10);
  const tw = Math.max(...rows.map((r) => r.tags.join(' ').length), 4);
  const nw = Math.max(...rows.map((r) => needs(r).length), 5);
  return rows.map((r) => `${r.id.padEnd(w)}  ${r.tags.join(' ').padEnd(tw)}  ${needs(r).padEnd(nw)}  ${r.title}\n`).join('') + `${rows.length} checks\n`;
}

/** `--list`: the registry's checks that would run; nothing runs, no Sovereign is needed. */
async function listChecks(opts: CliOptions): Promise<number> {
  const { CHECKS } = await import('../checks/index.js');
  process.stdout.write(renderList(selectChecks(CHECKS, opts)));
  return 0;
}

/**
 * Every `SMOKE_ALLOW_SKIP` id (flag, environment or file) that is not a check of the registry. The
 * registry is loaded only when a target allows a skip (it loads every check's code).
 */
async function allowSkipProblems(prepared: Prepared[]): Promise<void> {
  if (!prepared.some((p) => p.env['SMOKE_ALLOW_SKIP']?.trim())) return;
  const { CHECK_IDS } = await import('../checks/index.js');
  for (const p of prepared) {
    const bad = (p.env['SMOKE_ALLOW_SKIP'] ?? '').split(',').map((s) => s.trim()).filter((id) => id && !(CHECK_IDS as readonly string[]).includes(id));
    if (bad.length) p.problems.push({ variable: 'SMOKE_ALLOW_SKIP', problem: `${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'are not check ids' : 'is not a check id'}; the checks: ${CHECK_IDS.join(', ')}` });
  }
}

/** Runs at most `limit` tasks at once. */
async function bounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

/** The engine scripts/launch.mjs started ahead, waiting on file descriptor 3 for a run of `script`. */
export interface Standby {
  child: ChildProcess;
  script: string;
  /** Set once a run has taken it; scripts/launch.mjs ends one that no run took. */
  taken?: boolean;
}

export async function main(argv: string[], started: { standby?: Standby } = {}): Promise<number> {
  const standby = started.standby;
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`smoke: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const prepared = prepareTargets(opts, process.env);
  if (opts.list) return listChecks(opts);
  const defaultSim = prepared.some((p) => p.defaultSim && !p.problems.length);
  if (defaultSim) process.stderr.write(`${BANNER}\n`);

  // Validate every non-simulated target before anything runs.
  const { SCENARIOS } = await import('../sim/scenarios/index.js');
  await allowSkipProblems(prepared);
  let invalid = false;
  for (const p of prepared) {
    if (p.simScenario) {
      if (!SCENARIOS.some((s) => s.name === p.simScenario)) {
        p.problems.push({ variable: '--sim', problem: `unknown scenario "${p.simScenario}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}` });
      }
    } else {
      const r = loadConfig(p.env);
      if (!r.ok) p.problems.push(...r.problems);
    }
    if (p.problems.length) {
      invalid = true;
      process.stderr.write(`${prepared.length > 1 ? `[${p.label}] ` : ''}${formatProblems(p.problems)}\n`);
    }
  }
  if (invalid) return 2;
  // A file's SMOKE_CHROMIUM_PATH counts as the environment's would.
  const missing = await ensureBrowser(prepared[0]?.env ?? process.env);
  if (missing) {
    process.stderr.write(`smoke: cannot run the browser checks; missing: ${missing}\n`);
    return 2;
  }

  const outcomes: RunOutcome[] = [];
  const fleet = prepared.length > 1;
  const running = new Set<{ stop(): Promise<void> }>();
  const interrupt = (): void => {
    void Promise.allSettled([...running].map((s) => s.stop())).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  await bounded(prepared, fleet ? opts.concurrency : 1, async (p) => {
    const prefix = fleet ? `[${p.label}] ` : '';
    let sim: SimHandle | undefined;
    try {
      // The simulator starts while the suite does (runOne hands its settings over when it listens).
      const simEnv = p.simScenario
        ? async (): Promise<Env> => (await import('../sim/index.js')).startSim({ scenario: p.simScenario, name: fleet ? p.label : 'sim' }).then((started) => {
            sim = started;
            running.add(started);
            process.stderr.write(`${prefix}smoke: simulated Sovereign ${started.fqdn} (scenario ${p.simScenario}) on loopback\n`);
            const r = loadConfig({ ...p.env, ...started.env });
            if (!r.ok) throw new Error(formatProblems(r.problems));
            return started.env as Env;
          })
        : undefined;
      mkdirSync(p.env['SMOKE_REPORT_DIR'] ?? 'smoke-report', { recursive: true });
      outcomes.push(await runOne(p, opts, prefix, simEnv, fleet ? undefined : standby));
      if (p.defaultSim) noteDefaultSim(p.env['SMOKE_REPORT_DIR'] ?? 'smoke-report');
    } catch (err) {
      outcomes.push({ label: p.label, exitCode: 1, error: (err as Error).message });
      process.stderr.write(`${prefix}smoke: ${(err as Error).message}\n`);
    } finally {
      if (sim) {
        running.delete(sim);
        await sim.stop();
      }
    }
  });

  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const o of outcomes) {
    if (o.summary) {
      totals.passed += o.summary.counts.passed;
      totals.failed += o.summary.counts.failed;
      totals.skipped += o.summary.counts.skipped;
    } else {
      totals.failed += 1;
      process.stderr.write(`smoke: ${o.label}: ${o.error ?? 'no summary'}\n`);
    }
  }
  if (fleet) {
    const base = fleetReportDir(opts, process.env);
    const entries: FleetEntry[] = prepared.map((p) => {
      const o = outcomes.find((x) => x.label === p.label);
      return {
        name: p.label,
        fqdn: o?.summary?.fqdn ?? p.env['SOVEREIGN_FQDN'] ?? '',
        verdict: o?.exitCode === 0 ? 'passed' : 'failed',
        reportDir: p.env['SMOKE_REPORT_DIR'] ?? '',
        ...(o?.summary ? { summary: o.summary } : {}),
        ...(o?.error ? { error: o.error } : {}),
      };
    });
    const fleetSummary: FleetSummary = { startedAt: new Date().toISOString(), verdict: entries.every((e) => e.verdict === 'passed') ? 'passed' : 'failed', sovereigns: entries };
    mkdirSync(base, { recursive: true });
    writeFileSync(join(base, 'fleet.json'), `${JSON.stringify(fleetSummary, null, 2)}\n`);
    writeFileSync(join(base, 'fleet.md'), renderFleetMarkdown(fleetSummary));
    process.stdout.write(`\nfleet: ${entries.filter((e) => e.verdict === 'passed').length}/${entries.length} Sovereigns passed; see ${join(base, 'fleet.md')}\n`);
  }
  if (defaultSim) process.stderr.write('smoke: this run tested the embedded simulator (no Sovereign was named)\n');
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  return outcomes.some((o) => o.exitCode !== 0) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

/**
 * `scripts/smoke`: the CLI of contract §1. Resolves the target(s), validates the configuration
 * (exit 2 with every problem before any check), starts the simulated Sovereign when asked to (or when
 * no target is named), runs Playwright with the configuration in its environment, and ends stdout
 * with `N passed, N failed, N skipped`. Several targets (`--sovereign a,b,c`) make a fleet run: each
 * Sovereign runs isolated, with bounded concurrency, into `<report-dir>/<name>/`, and the fleet gets
 * `fleet.md`/`fleet.json`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { formatProblems, loadConfig, parseDuration, type ConfigProblem } from '../fixtures/config.js';
import type { Summary } from '../fixtures/reporter.js';
import { renderFleetMarkdown, type FleetEntry, type FleetSummary } from './fleet.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLAYWRIGHT_CLI = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

export const USAGE = `usage: scripts/smoke [--sovereign NAME[,NAME…] | --env-file FILE[,FILE…] | --sim [SCENARIO[,SCENARIO…]]]
                    [--grep RE] [--grep-invert RE] [--await DURATION] [--report-dir DIR] [--list]
                    [--trace off|on|retain-on-failure] [--concurrency N]

  --sovereign NAME   load sovereigns/NAME.env (dotenv) and set SMOKE_SOVEREIGN=NAME
  --env-file FILE    load FILE (dotenv) instead
  --sim [SCENARIO]   start the simulated Sovereign (healthy unless a scenario is named) and run against it
                     (no target at all, and no SOVEREIGN_FQDN in the environment: the healthy simulator)
  --grep RE          run only checks whose id, title or tag matches (e.g. @edge, handover.)
  --grep-invert RE   skip checks that match
  --await DURATION   budget for a converging Sovereign (SMOKE_AWAIT), e.g. 90s, 15m
  --report-dir DIR   where reports go (SMOKE_REPORT_DIR, default ./smoke-report)
  --list             print the checks that would run, with ids and tags; run nothing
  --trace MODE       browser traces (SMOKE_TRACE); scrubbed of secrets before they are written
  --concurrency N    fleet runs: how many Sovereigns at once (default 2)
Several comma-separated names make a fleet run: one report per Sovereign plus fleet.md and fleet.json.
Environment variables win over dotenv files. Exit: 0 all passed, 1 a check failed, 2 invalid configuration.`;

export type Target =
  | { kind: 'environment' }
  | { kind: 'sovereign'; name: string }
  | { kind: 'env-file'; path: string }
  | { kind: 'sim'; scenario: string };

export interface CliOptions {
  targets: Target[];
  grep?: string;
  grepInvert?: string;
  await?: string;
  reportDir?: string;
  trace?: string;
  concurrency: number;
  list: boolean;
  help: boolean;
}

export class UsageError extends Error {}

/** Parses argv (without node and script). Throws {@link UsageError} with every problem. */
export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { targets: [], concurrency: 2, list: false, help: false };
  const problems: string[] = [];
  const kinds = new Set<string>();
  const split = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        problems.push(`${flag} needs a value`);
        return undefined;
      }
      i++;
      return next;
    };
    switch (flag) {
      case '--sovereign': {
        const v = value();
        if (v !== undefined) for (const name of split(v)) opts.targets.push({ kind: 'sovereign', name });
        kinds.add(flag);
        break;
      }
      case '--env-file': {
        const v = value();
        if (v !== undefined) for (const path of split(v)) opts.targets.push({ kind: 'env-file', path });
        kinds.add(flag);
        break;
      }
      case '--sim': {
        // The scenario is optional: `--sim` alone is the healthy simulator.
        let v = inline;
        if (v === undefined && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('-')) v = argv[++i];
        for (const scenario of v ? split(v) : ['healthy']) opts.targets.push({ kind: 'sim', scenario });
        kinds.add(flag);
        break;
      }
      case '--grep':
        opts.grep = value();
        break;
      case '--grep-invert':
        opts.grepInvert = value();
        break;
      case '--await': {
        const v = value();
        if (v !== undefined && parseDuration(v) === undefined) problems.push(`--await "${v}" is not a duration (e.g. 90s, 15m)`);
        opts.await = v;
        break;
      }
      case '--report-dir':
        opts.reportDir = value();
        break;
      case '--trace':
        opts.trace = value();
        break;
      case '--concurrency': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1) problems.push('--concurrency needs a whole number ≥ 1');
        else opts.concurrency = v;
        break;
      }
      case '--list':
        opts.list = true;
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        problems.push(`unknown argument "${arg}"`);
    }
  }
  if (kinds.size > 1) problems.push(`${[...kinds].join(' and ')} name targets two ways; use one`);
  for (const r of [opts.grep, opts.grepInvert]) {
    if (r === undefined) continue;
    try {
      new RegExp(r);
    } catch {
      problems.push(`"${r}" is not a regular expression`);
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  return opts;
}

/** Variables that say which Sovereign to talk to; a simulator run never inherits them. */
export const TARGET_VARIABLES = [
  'SOVEREIGN_FQDN', 'SMOKE_SOVEREIGN', 'SMOKE_CONSOLE_URL', 'SMOKE_KEYCLOAK_URL', 'SMOKE_CONNECT_TO', 'SMOKE_EXTRA_CA_FILE',
  'KUBECONFIG', 'SMOKE_KUBE_CONTEXT', 'HCLOUD_TOKEN', 'HCLOUD_ENDPOINT', 'SMOKE_HANDOVER_KEY', 'SMOKE_HANDOVER_KEY_FILE',
  'SMOKE_HANDOVER_ISSUER', 'SMOKE_HANDOVER_EMAIL', 'SMOKE_KC_SA_CLIENT_ID', 'SMOKE_KC_SA_CLIENT_SECRET',
];

type Env = Record<string, string | undefined>;

/**
 * The environment with no Sovereign in it: no target variable and no `SMOKE_*` setting (nor any
 * variable starting with one of `alsoDrop`). Self-tests and the benchmark start every run from it,
 * so the machine's own settings never reach a run.
 */
export function untargetedEnv(env: Env = process.env, alsoDrop: string[] = []): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([k]) => !k.startsWith('SMOKE_') && !TARGET_VARIABLES.includes(k) && !alsoDrop.some((p) => k.startsWith(p))),
  );
}

interface Prepared {
  label: string;
  env: Env;
  problems: ConfigProblem[];
  simScenario?: string;
}

function readDotenv(path: string, label: string): { vars: Env; problem?: ConfigProblem } {
  if (!existsSync(path)) return { vars: {}, problem: { variable: label, problem: `${path} does not exist` } };
  try {
    return { vars: parseDotenv(readFileSync(path)) };
  } catch (err) {
    return { vars: {}, problem: { variable: label, problem: `cannot read ${path}: ${(err as Error).message}` } };
  }
}

/** Builds each target's environment: dotenv file < process environment < flags. */
export function prepareTargets(opts: CliOptions, processEnv: Env, cwd = process.cwd()): Prepared[] {
  const targets: Target[] = opts.targets.length ? opts.targets : processEnv['SOVEREIGN_FQDN'] ? [{ kind: 'environment' }] : [{ kind: 'sim', scenario: 'healthy' }];
  const fleet = targets.length > 1;
  const baseReport = resolve(cwd, opts.reportDir ?? processEnv['SMOKE_REPORT_DIR'] ?? 'smoke-report');
  const used = new Set<string>();
  return targets.map((t, i) => {
    const problems: ConfigProblem[] = [];
    let env: Env;
    let label: string;
    let simScenario: string | undefined;
    if (t.kind === 'environment') {
      env = { ...processEnv };
      label = processEnv['SMOKE_SOVEREIGN'] ?? (processEnv['SOVEREIGN_FQDN'] ?? 'sovereign').split('.')[0] ?? 'sovereign';
    } else if (t.kind === 'sovereign') {
      const file = join(ROOT, 'sovereigns', `${t.name}.env`);
      const { vars, problem } = readDotenv(file, `--sovereign ${t.name}`);
      if (problem) problems.push(problem);
      const local = join(ROOT, 'sovereigns', `${t.name}.local.env`);
      const localVars = existsSync(local) ? readDotenv(local, `--sovereign ${t.name}`).vars : {};
      env = { ...vars, ...localVars, ...processEnv, SMOKE_SOVEREIGN: t.name };
      label = t.name;
    } else if (t.kind === 'env-file') {
      const file = resolve(cwd, t.path);
      const { vars, problem } = readDotenv(file, `--env-file ${t.path}`);
      if (problem) problems.push(problem);
      env = { ...vars, ...processEnv };
      label = env['SMOKE_SOVEREIGN'] ?? (env['SOVEREIGN_FQDN'] ?? t.path).split('.')[0] ?? t.path;
    } else {
      env = { ...processEnv };
      for (const v of TARGET_VARIABLES) delete env[v];
      label = fleet ? `sim${i + 1}-${t.scenario}`.slice(0, 40).replace(/-+$/, '') : 'sim';
      simScenario = t.scenario;
    }
    let unique = label;
    for (let n = 2; used.has(unique); n++) unique = `${label}-${n}`;
    used.add(unique);
    if (opts.await) env['SMOKE_AWAIT'] = opts.await;
    if (opts.trace) env['SMOKE_TRACE'] = opts.trace;
    env['SMOKE_REPORT_DIR'] = fleet ? join(baseReport, unique) : baseReport;
    return { label: unique, env, problems, ...(simScenario ? { simScenario } : {}) };
  });
}

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Whether there is a Chromium the suite can drive: SMOKE_CHROMIUM_PATH, a system one, or
 * Playwright's own. Which one is used is the browser fixture's choice (Playwright's own first);
 * this only asks whether any exists, checking the cheap places before loading Playwright (~0.5 s).
 */
async function hasChromium(env: Env): Promise<boolean> {
  if (env['SMOKE_CHROMIUM_PATH'] || SYSTEM_CHROMIUMS.some((p) => existsSync(p))) return true;
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
    return 'a Chromium to drive and certutil (Debian: apt-get install chromium libnss3-tools), or SMOKE_CHROMIUM_PATH; scripts/setup could not install them';
  }
  return undefined;
}

function playwrightArgs(opts: CliOptions): string[] {
  const args = [PLAYWRIGHT_CLI, 'test'];
  if (opts.grep) args.push('--grep', opts.grep);
  if (opts.grepInvert) args.push('--grep-invert', opts.grepInvert);
  return args;
}

const CLOSING = /^\d+ passed, \d+ failed, \d+ skipped$/;

interface RunOutcome {
  label: string;
  exitCode: number;
  summary?: Summary;
  error?: string;
}

/** Runs Playwright for one prepared target; streams its output (prefixed in a fleet). */
async function runOne(p: Prepared, opts: CliOptions, prefix: string): Promise<RunOutcome> {
  const env: Env = { ...p.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' };
  const child = spawn(process.execPath, playwrightArgs(opts), { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): Promise<void> =>
    new Promise((done) => {
      const rl = createInterface({ input: stream });
      rl.on('line', (line) => {
        if (CLOSING.test(line.trim())) return; // printed once, by us, at the very end
        out.write(`${prefix}${line}\n`);
      });
      rl.on('close', () => done());
    });
  const streams = Promise.all([forward(child.stdout, process.stdout), forward(child.stderr, process.stderr)]);
  const exitCode: number = await new Promise((done) => child.on('close', (code, signal) => done(code ?? (signal ? 1 : 1))));
  await streams;
  const reportDir = p.env['SMOKE_REPORT_DIR'] ?? '';
  const file = join(reportDir, 'summary.json');
  if (!existsSync(file)) return { label: p.label, exitCode: exitCode === 2 ? 2 : 1, error: `the suite did not produce ${file} (Playwright exited ${exitCode})` };
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  return { label: p.label, exitCode: summary.verdict === 'passed' && exitCode === 0 ? 0 : 1, summary };
}

async function listChecks(opts: CliOptions, env: Env): Promise<number> {
  const listEnv: Env = { ...env, SOVEREIGN_FQDN: env['SOVEREIGN_FQDN'] ?? 'list.invalid', SMOKE_REPORT_DIR: join(ROOT, '.tmp', 'list-report') };
  const r = spawnSync(process.execPath, [...playwrightArgs(opts), '--list', '--reporter=json'], { cwd: ROOT, env: listEnv as NodeJS.ProcessEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 && !r.stdout) {
    process.stderr.write(r.stderr);
    return r.status ?? 1;
  }
  type JsonSuite = { suites?: JsonSuite[]; specs?: { title: string; tags: string[] }[] };
  const report = JSON.parse(r.stdout) as { suites: JsonSuite[] };
  const rows: { id: string; tags: string; title: string }[] = [];
  const walk = (s: JsonSuite): void => {
    for (const spec of s.specs ?? []) {
      const id = /^([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+):/.exec(spec.title)?.[1] ?? spec.title;
      rows.push({ id, tags: spec.tags.map((x) => `@${x.replace(/^@/, '')}`).join(' '), title: spec.title });
    }
    for (const c of s.suites ?? []) walk(c);
  };
  for (const s of report.suites) walk(s);
  rows.sort((a, b) => a.id.localeCompare(b.id));
  const w = Math.max(...rows.map((x) => x.id.length), 10);
  const tw = Math.max(...rows.map((x) => x.tags.length), 4);
  for (const row of rows) process.stdout.write(`${row.id.padEnd(w)}  ${row.tags.padEnd(tw)}  ${row.title.slice(row.id.length + 2)}\n`);
  process.stdout.write(`${rows.length} checks\n`);
  return 0;
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

export async function main(argv: string[]): Promise<number> {
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
  if (opts.list) return listChecks(opts, prepared[0]?.simScenario ? {} : (prepared[0]?.env ?? {}));

  // Validate every non-simulated target before anything runs.
  const { SCENARIOS } = await import('../sim/scenarios/index.js');
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
  const missing = await ensureBrowser(process.env);
  if (missing) {
    process.stderr.write(`smoke: cannot run the browser checks; missing: ${missing}\n`);
    return 2;
  }

  const { startSim } = await import('../sim/index.js');
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
    let sim: Awaited<ReturnType<typeof startSim>> | undefined;
    try {
      if (p.simScenario) {
        sim = await startSim({ scenario: p.simScenario, name: fleet ? p.label : 'sim' });
        running.add(sim);
        Object.assign(p.env, sim.env);
        process.stderr.write(`${prefix}smoke: simulated Sovereign ${sim.fqdn} (scenario ${p.simScenario}) on loopback\n`);
        const r = loadConfig(p.env);
        if (!r.ok) throw new Error(formatProblems(r.problems));
      }
      mkdirSync(p.env['SMOKE_REPORT_DIR'] ?? 'smoke-report', { recursive: true });
      outcomes.push(await runOne(p, opts, prefix));
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
    const base = resolve(opts.reportDir ?? process.env['SMOKE_REPORT_DIR'] ?? 'smoke-report');
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
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  return outcomes.some((o) => o.exitCode !== 0) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

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
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { selectChecks as matchChecks } from '../checks/select.js';
import { systemChromium } from '../clients/chromium-path.js';
import { formatProblems, loadConfig, parseDuration, type ConfigProblem } from '../clients/config.js';
import type { Summary } from '../report/reporter.js';
import type { SimHandle } from '../sim/index.js';
import { StatusLine } from '../report/terminal.js';
import { renderFleetMarkdown, type FleetEntry, type FleetSummary } from './fleet.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLAYWRIGHT_CLI = join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const TSX_LOADER = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export const USAGE = `usage: scripts/smoke [--sovereign NAME|FQDN[,…] [--env-file FILE] | --env-file FILE[,FILE…] | --sim [SCENARIO[,SCENARIO…]]]
                    [--grep RE] [--grep-invert RE] [--await DURATION] [--report-dir DIR] [--strict]
                    [--allow-skip ID,…] [--list] [--trace off|on|retain-on-failure] [--concurrency N]
                    [--engine direct|playwright]

  --sovereign NAME   load sovereigns/NAME.env (dotenv) and set SMOKE_SOVEREIGN=NAME; an FQDN
                     (otech64.omani.works) loads sovereigns/otech64.env when it exists and is SOVEREIGN_FQDN
  --env-file FILE    load FILE (dotenv) instead; with --sovereign, FILE's settings go over the Sovereign's file
  --sim [SCENARIO]   start the simulated Sovereign (healthy unless a scenario is named) and run against it
                     (no target at all, and no SOVEREIGN_FQDN: the healthy simulator, except under CI=true)
  --grep RE          run only checks whose id, title or tag matches (e.g. @edge, handover.)
  --grep-invert RE   leave out checks that match (a left-out check is not "skipped")
  --await DURATION   budget for a converging Sovereign (SMOKE_AWAIT), e.g. 90s, 15m
  --report-dir DIR   where reports go (SMOKE_REPORT_DIR, default ./smoke-report)
  --strict           a skipped check fails the run (SMOKE_STRICT=true), naming why it was skipped
  --allow-skip IDS   strict mode: accept these checks being skipped (SMOKE_ALLOW_SKIP), e.g. handover.login
  --list             print the checks that would run (id, tags, needs, title); run nothing
  --trace MODE       browser traces (SMOKE_TRACE); scrubbed of secrets before they are written
  --concurrency N    fleet runs: how many Sovereigns at once (default 2)
  --engine ENGINE    who judges the checks (SMOKE_ENGINE): direct (default: in one process, scripts/engine.ts)
                     or playwright (Playwright Test runs the specs in tests/, with Playwright's HTML report)
Several comma-separated names make a fleet run: one report per Sovereign plus fleet.md and fleet.json.
Environment variables win over dotenv files. Exit: 0 all passed, 1 a check failed (or, strict, was
skipped), 2 invalid configuration.`;

export type Target =
  | { kind: 'environment' }
  | { kind: 'sovereign'; name: string }
  | { kind: 'env-file'; path: string }
  | { kind: 'sim'; scenario: string };

export interface CliOptions {
  targets: Target[];
  /** `--env-file` given with `--sovereign`: settings layered over each Sovereign's own file. */
  settings: string[];
  strict: boolean;
  allowSkip?: string;
  grep?: string;
  grepInvert?: string;
  await?: string;
  reportDir?: string;
  trace?: string;
  engine?: string;
  concurrency: number;
  list: boolean;
  help: boolean;
}

export class UsageError extends Error {}

/** Parses argv (without node and script). Throws {@link UsageError} with every problem. */
export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { targets: [], settings: [], strict: false, concurrency: 2, list: false, help: false };
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
      case '--engine':
        opts.engine = value();
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
      case '--strict':
        opts.strict = true;
        break;
      case '--allow-skip': {
        const v = value();
        if (v !== undefined) {
          // Checked against the registry before anything runs (allowSkipProblems), with SMOKE_ALLOW_SKIP.
          opts.allowSkip = split(v).join(',');
        }
        break;
      }
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        problems.push(`unknown argument "${arg}"`);
    }
  }
  // `--sovereign X --env-file F`: F holds settings for X (the workflow's caller settings), not a target.
  if (kinds.has('--sovereign') && kinds.has('--env-file') && !kinds.has('--sim')) {
    opts.settings = opts.targets.flatMap((t) => (t.kind === 'env-file' ? [t.path] : []));
    opts.targets = opts.targets.filter((t) => t.kind !== 'env-file');
    kinds.delete('--env-file');
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
  'SMOKE_HANDOVER_ISSUER', 'SMOKE_HANDOVER_EMAIL', 'SMOKE_HANDOVER_DEPLOYMENT_ID', 'SMOKE_KC_SA_CLIENT_ID', 'SMOKE_KC_SA_CLIENT_SECRET',
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
  /** No target was named, so this is the healthy simulator (said loudly, in the terminal and summary.md). */
  defaultSim?: boolean;
}

/** Whether this runs under CI (`CI=true`, as GitHub Actions and most CI systems set it). */
export function underCi(env: Env): boolean {
  return ['true', '1', 'yes'].includes((env['CI'] ?? '').trim().toLowerCase());
}

/** The message of a CI run that names no Sovereign (exit 2): every way to name one. */
export const NO_TARGET_IN_CI = {
  variable: 'target',
  problem:
    'no Sovereign named, and under CI (CI=true) the suite does not fall back to the simulator. Name one: ' +
    '--sovereign NAME or FQDN (sovereigns/NAME.env), --env-file FILE (a dotenv file with SOVEREIGN_FQDN), ' +
    'SOVEREIGN_FQDN in the environment, or --sim [SCENARIO] to test the simulator on purpose',
};

/** `otech64.omani.works` names the Sovereign `otech64` at that FQDN; `otech64` names only the file. */
export function sovereignName(target: string): { name: string; fqdn?: string } {
  const t = target.trim().toLowerCase().replace(/\.$/, '');
  return t.includes('.') ? { name: t.split('.')[0] ?? t, fqdn: t } : { name: t };
}

const sameFqdn = (a: string, b: string): boolean => a.trim().toLowerCase().replace(/\.$/, '') === b.trim().toLowerCase().replace(/\.$/, '');

function readDotenv(path: string, label: string): { vars: Env; problem?: ConfigProblem } {
  if (!existsSync(path)) return { vars: {}, problem: { variable: label, problem: `${path} does not exist` } };
  try {
    return { vars: parseDotenv(readFileSync(path)) };
  } catch (err) {
    return { vars: {}, problem: { variable: label, problem: `cannot read ${path}: ${(err as Error).message}` } };
  }
}

/**
 * Builds each target's environment: dotenv file(s) < process environment < flags. A variable from a
 * file counts exactly as one from the environment, for every purpose (the report directory included).
 */
export function prepareTargets(opts: CliOptions, processEnv: Env, cwd = process.cwd()): Prepared[] {
  const noTarget = !opts.targets.length && !processEnv['SOVEREIGN_FQDN'];
  const targets: Target[] = opts.targets.length ? opts.targets : processEnv['SOVEREIGN_FQDN'] ? [{ kind: 'environment' }] : [{ kind: 'sim', scenario: 'healthy' }];
  const fleet = targets.length > 1;
  const settingsProblems: ConfigProblem[] = [];
  let settings: Env = {};
  for (const f of opts.settings) {
    const { vars, problem } = readDotenv(resolve(cwd, f), `--env-file ${f}`);
    if (problem) settingsProblems.push(problem);
    settings = { ...settings, ...vars };
  }
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
      // A name needs its file; an FQDN uses the file of its first label when there is one (as the workflow).
      const { name, fqdn } = sovereignName(t.name);
      const file = join(ROOT, 'sovereigns', `${name}.env`);
      const { vars, problem } = fqdn && !existsSync(file) ? { vars: {} } : readDotenv(file, `--sovereign ${t.name}`);
      if (problem) problems.push(problem);
      const local = join(ROOT, 'sovereigns', `${name}.local.env`);
      const localVars = existsSync(local) ? readDotenv(local, `--sovereign ${t.name}`).vars : {};
      problems.push(...settingsProblems);
      env = { ...vars, ...localVars, ...settings, ...processEnv, SMOKE_SOVEREIGN: name };
      if (fqdn) {
        const set = env['SOVEREIGN_FQDN'];
        if (!set) env['SOVEREIGN_FQDN'] = fqdn;
        else if (!sameFqdn(set, fqdn)) {
          problems.push({ variable: 'SOVEREIGN_FQDN', problem: `is ${set} (from ${processEnv['SOVEREIGN_FQDN'] ? 'the environment' : 'the settings files'}), but --sovereign names ${fqdn}; name one Sovereign` });
        }
      }
      label = name;
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
      if (noTarget && !opts.list && underCi(processEnv)) problems.push(NO_TARGET_IN_CI);
    }
    let unique = label;
    for (let n = 2; used.has(unique); n++) unique = `${label}-${n}`;
    used.add(unique);
    if (opts.await) env['SMOKE_AWAIT'] = opts.await;
    if (opts.trace) env['SMOKE_TRACE'] = opts.trace;
    if (opts.engine) env['SMOKE_ENGINE'] = opts.engine;
    if (opts.strict) env['SMOKE_STRICT'] = 'true';
    if (opts.allowSkip !== undefined) env['SMOKE_ALLOW_SKIP'] = opts.allowSkip;
    // The target's own environment (files included) names the report directory; the flag wins.
    const base = resolve(cwd, opts.reportDir ?? env['SMOKE_REPORT_DIR'] ?? 'smoke-report');
    env['SMOKE_REPORT_DIR'] = fleet ? join(base, unique) : base;
    return { label: unique, env, problems, ...(simScenario ? { simScenario } : {}), ...(noTarget ? { defaultSim: true } : {}) };
  });
}

/** Where a fleet's `fleet.md`/`fleet.json` go: the flag, else the environment, else a settings file. */
function fleetReportDir(opts: CliOptions, processEnv: Env, cwd = process.cwd()): string {
  let fromSettings: string | undefined;
  for (const f of opts.settings) fromSettings = readDotenv(resolve(cwd, f), f).vars['SMOKE_REPORT_DIR'] ?? fromSettings;
  return resolve(cwd, opts.reportDir ?? processEnv['SMOKE_REPORT_DIR'] ?? fromSettings ?? 'smoke-report');
}

const BANNER = [
  '',
  '!!! No Sovereign named: this run tests the EMBEDDED SIMULATOR, not a real Sovereign.',
  '!!! Name one with --sovereign NAME|FQDN, --env-file FILE or SOVEREIGN_FQDN (under CI this is an error).',
  '',
].join('\n');

/** The line summary.md gets when no Sovereign was named. */
export const DEFAULT_SIM_NOTE = '> ⚠️ **No Sovereign was named: this run tested the embedded simulated Sovereign, not a real one.** Name one with `--sovereign NAME|FQDN`, `--env-file FILE` or `SOVEREIGN_FQDN`.';

function noteDefaultSim(reportDir: string): void {
  const md = join(reportDir, 'summary.md');
  if (!existsSync(md)) return;
  const [title, ...rest] = readFileSync(md, 'utf8').split('\n');
  writeFileSync(md, [title, '', DEFAULT_SIM_NOTE, ...rest].join('\n'));
}

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

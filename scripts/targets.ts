/**
 * Which Sovereign(s) a run talks to, and each one's environment (contract §1): `--sovereign NAME|FQDN`
 * loads `sovereigns/NAME.env`, `--env-file` and `--settings` files count exactly as the environment
 * (which wins where both set a variable), flags win over both; no target off CI is the embedded
 * simulator, said loudly; no target under CI is exit 2. Also the environment with no Sovereign in it
 * (`untargetedEnv`), which the self-tests and the benchmark start every run from.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import type { ConfigProblem } from '../clients/config.js';
import type { CliOptions, Target } from './cli-args.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Variables that say which Sovereign to talk to; a simulator run never inherits them. */
export const TARGET_VARIABLES = [
  'SOVEREIGN_FQDN', 'SMOKE_SOVEREIGN', 'SMOKE_CONSOLE_URL', 'SMOKE_KEYCLOAK_URL', 'SMOKE_CONNECT_TO', 'SMOKE_EXTRA_CA_FILE',
  'KUBECONFIG', 'SMOKE_KUBE_CONTEXT', 'HCLOUD_TOKEN', 'HCLOUD_ENDPOINT', 'SMOKE_HANDOVER_KEY', 'SMOKE_HANDOVER_KEY_FILE',
  'SMOKE_HANDOVER_ISSUER', 'SMOKE_HANDOVER_EMAIL', 'SMOKE_HANDOVER_DEPLOYMENT_ID', 'SMOKE_KC_SA_CLIENT_ID', 'SMOKE_KC_SA_CLIENT_SECRET',
];

export type Env = Record<string, string | undefined>;

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

export interface Prepared {
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
export function fleetReportDir(opts: CliOptions, processEnv: Env, cwd = process.cwd()): string {
  let fromSettings: string | undefined;
  for (const f of opts.settings) fromSettings = readDotenv(resolve(cwd, f), f).vars['SMOKE_REPORT_DIR'] ?? fromSettings;
  return resolve(cwd, opts.reportDir ?? processEnv['SMOKE_REPORT_DIR'] ?? fromSettings ?? 'smoke-report');
}

export const BANNER = [
  '',
  '!!! No Sovereign named: this run tests the EMBEDDED SIMULATOR, not a real Sovereign.',
  '!!! Name one with --sovereign NAME|FQDN, --env-file FILE or SOVEREIGN_FQDN (under CI this is an error).',
  '',
].join('\n');

/** The line summary.md gets when no Sovereign was named. */
export const DEFAULT_SIM_NOTE = '> ⚠️ **No Sovereign was named: this run tested the embedded simulated Sovereign, not a real one.** Name one with `--sovereign NAME|FQDN`, `--env-file FILE` or `SOVEREIGN_FQDN`.';

export function noteDefaultSim(reportDir: string): void {
  const md = join(reportDir, 'summary.md');
  if (!existsSync(md)) return;
  const [title, ...rest] = readFileSync(md, 'utf8').split('\n');
  writeFileSync(md, [title, '', DEFAULT_SIM_NOTE, ...rest].join('\n'));
}

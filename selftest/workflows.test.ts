/**
 * The CI workflows are checked like code: they parse, validate against the workflow schema
 * (@action-validator/cli), pin every action by commit, declare every secret they use, run only
 * commands that exist, keep least privilege, and their shell steps behave (credentials land in
 * private files and are masked; the smoke step passes the right target to scripts/smoke).
 * Also sovereigns/: example.env documents every variable, and the README's RBAC grants what the suite
 * asks for in preflight.
 */
 
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync as makeTemp, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseDotenv } from 'dotenv';
import { parse, parseAllDocuments } from 'yaml';
import { neededPermissions } from '../decisions/permissions.js';
import { loadConfig } from '../clients/config.js';
import type { Summary } from '../report/reporter.js';
import { untargetedEnv } from '../scripts/targets.js';
import { startSim, type SimHandle } from '../sim/index.js';
import { runProcess } from './run.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, '.github', 'workflows');
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

type Obj = Record<string, unknown>;
interface Step { name?: string; uses?: string; run?: string; with?: Obj; env?: Obj; if?: string; id?: string }
interface Job { name?: string; uses?: string; steps?: Step[]; permissions?: unknown; 'timeout-minutes'?: number; concurrency?: Obj; strategy?: Obj; env?: Obj }
interface Workflow { on: Obj; permissions?: unknown; concurrency?: Obj; jobs: Record<string, Job> }

const temps: string[] = [];
/** A temporary directory, removed when the tests end. */
function mkdtempSync(prefix: string): string {
  const d = makeTemp(prefix);
  temps.push(d);
  return d;
}
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const text = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const load = (f: string): Workflow => parse(text(f)) as Workflow;
const jobs = (w: Workflow): [string, Job][] => Object.entries(w.jobs);
const steps = (w: Workflow): [string, Step][] => jobs(w).flatMap(([id, j]) => (j.steps ?? []).map((s): [string, Step] => [id, s]));

/** Every string in a parsed document, with its path (comments are not part of the document). */
function strings(node: unknown, path: string[] = []): { path: string[]; value: string }[] {
  if (typeof node === 'string') return [{ path, value: node }];
  if (Array.isArray(node)) return node.flatMap((v, i) => strings(v, [...path, String(i)]));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

function step(w: Workflow, name: RegExp): Step {
  const s = steps(w).find(([, x]) => name.test(x.name ?? ''))?.[1];
  assert.ok(s, `no step named ${name}`);
  return s;
}

describe('workflows', () => {
  it('exist: smoke.yml and selftest.yml', () => {
    assert.deepEqual(FILES, ['selftest.yml', 'smoke.yml']);
  });

  for (const f of FILES) {
    describe(f, () => {
      it('parses as YAML without duplicate keys', () => {
        const w = load(f);
        assert.ok(w.on && typeof w.on === 'object', 'has triggers');
        assert.ok(Object.keys(w.jobs).length > 0, 'has jobs');
      });

      it('passes action-validator (the workflow JSON schema)', () => {
        const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'action-validator'), [join(DIR, f)], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 0, `action-validator ${f}:\n${r.stdout}${r.stderr}`);
      });

      it('pins every action by a 40-hex commit with a # vX.Y.Z comment', () => {
        const uses = [...steps(load(f)).map(([, s]) => s.uses), ...jobs(load(f)).map(([, j]) => j.uses)].filter((u): u is string => !!u);
        assert.ok(uses.length > 0);
        for (const u of uses) {
          assert.match(u, /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/, `${u} is not pinned by a full commit SHA`);
          const line = text(f).split('\n').find((l) => l.includes(u)) ?? '';
          assert.match(line, /#\s*v\d+\.\d+\.\d+\s*$/, `${u}: the line lacks a # vX.Y.Z comment`);
        }
      });

      it('declares every secret it uses, and uses secrets only in step env', () => {
        const w = load(f);
        const call = (w.on['workflow_call'] ?? {}) as { secrets?: Obj };
        const declared = new Set(Object.keys(call.secrets ?? {}));
        for (const { path, value } of strings(w)) {
          for (const m of value.matchAll(/secrets(?:\.([A-Za-z0-9_-]+)|\[\s*'([^']+)'\s*\])/g)) {
            const name = m[1] ?? m[2] ?? '';
            assert.ok(name === 'GITHUB_TOKEN' || declared.has(name), `${path.join('.')}: secrets.${name} is not declared in on.workflow_call.secrets`);
            assert.ok(path[0] === 'jobs' && path[2] === 'steps' && path[4] === 'env', `${path.join('.')}: secrets may only reach a step through its env`);
          }
        }
      });

      it('runs only scripts that exist (and are executable unless run by node)', () => {
        const runs = steps(load(f)).map(([, s]) => s.run).filter((r): r is string => !!r);
        const used = new Set(runs.flatMap((r) => [...r.matchAll(/(?:^|[\s;&|(])(scripts\/[A-Za-z0-9_./-]+)/g)].map((m) => m[1] ?? '')));
        assert.ok(used.size > 0, 'runs at least one project script');
        for (const s of used) {
          const p = join(ROOT, s);
          assert.ok(existsSync(p), `${s} does not exist`);
          if (!/\.(ts|mjs|js)$/.test(s)) assert.doesNotThrow(() => accessSync(p, constants.X_OK), `${s} is not executable`);
        }
      });

      it('uses at job level only the contexts GitHub offers there (no runner, env, steps or job)', () => {
        const JOB_LEVEL = ['name', 'if', 'env', 'concurrency', 'environment', 'strategy', 'container', 'runs-on', 'timeout-minutes', 'outputs'];
        for (const [id, j] of jobs(load(f))) {
          for (const key of JOB_LEVEL) {
            // Job outputs may read steps; nothing else at job level may.
            const banned = key === 'outputs' ? /\b(runner|env|job)\./ : /\b(runner|env|steps|job)\./;
            for (const { value } of strings((j as Obj)[key])) {
              for (const m of value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) assert.doesNotMatch(m[1] ?? '', banned, `job ${id} ${key}: \${{${m[1]}}} uses a context not available there`);
            }
          }
        }
      });

      it('keeps least privilege: permissions {} at the top, per-job grants, no template expansion in scripts', () => {
        const w = load(f);
        assert.deepEqual(w.permissions, {}, 'top-level permissions: {}');
        for (const [id, j] of jobs(w)) {
          assert.ok(j.permissions !== undefined, `job ${id} states its permissions`);
          const grants = Object.entries((j.permissions ?? {}) as Obj);
          for (const [scope, level] of grants) assert.ok(scope === 'contents' && level === 'read', `job ${id}: ${scope}: ${String(level)} is more than read access to the code`);
          assert.ok(typeof j['timeout-minutes'] === 'number', `job ${id} has a timeout`);
        }
        for (const [id, s] of steps(w)) {
          assert.ok(s.name, `a step of job ${id} has no name`);
          // Inputs and matrix values reach scripts through env only, so none can inject shell.
          assert.ok(!s.run?.includes('${{'), `step "${s.name}" expands an expression inside its script`);
          if (s.uses?.startsWith('actions/checkout@')) assert.equal(s.with?.['persist-credentials'], false, `step "${s.name}" leaves the token in .git/config`);
        }
      });
    });
  }

  describe('smoke.yml', () => {
    const w = load('smoke.yml');
    const call = w.on['workflow_call'] as { inputs: Obj; secrets: Obj };
    const dispatch = w.on['workflow_dispatch'] as { inputs: Obj };

    it('is callable and dispatchable with the same inputs and defaults, and declares the three credentials', () => {
      // suite-repository/suite-ref only matter to callers in other repositories; a dispatch picks its ref.
      assert.deepEqual(Object.keys(dispatch.inputs).sort(), Object.keys(call.inputs).filter((i) => !i.startsWith('suite-')).sort());
      for (const i of Object.keys(dispatch.inputs)) {
        assert.deepEqual((dispatch.inputs[i] as Obj)['default'], (call.inputs[i] as Obj)['default'], `input ${i} has one default for both triggers`);
      }
      for (const i of ['sovereign', 'sovereigns', 'await', 'grep', 'strict', 'allow-skip', 'env-file', 'env', 'environment']) assert.ok(i in call.inputs, `input ${i}`);
      // Pipeline defaults: 15m for a Sovereign that is still converging (the CLI keeps 60s), strict on.
      assert.equal((call.inputs['await'] as Obj)['default'], '15m');
      assert.equal((call.inputs['strict'] as Obj)['default'], true);
      assert.equal((call.inputs['environment'] as Obj)['default'], 'sovereign-{0}');
      for (const s of ['kubeconfig', 'hcloud-token', 'handover-signing-key']) assert.ok(s in call.secrets, `secret ${s}`);
      // The caller's settings are inputs, never secrets: no secret reaches the settings step.
      assert.ok(!JSON.stringify(step(w, /caller's settings are/).env ?? {}).includes('secrets.'));
    });

    it('runs a fail-fast-free matrix, one concurrency group per Sovereign, and keeps reports always', () => {
      const smoke = w.jobs['smoke'];
      assert.ok(smoke);
      assert.equal(smoke.strategy?.['fail-fast'], false);
      assert.match(String((smoke.strategy?.['matrix'] as Obj)['sovereign']), /fromJSON\(needs\.plan\.outputs\.sovereigns\)/);
      assert.match(String(smoke.concurrency?.['group']), /fromJSON\(needs\.plan\.outputs\.names\)\[matrix\.sovereign\]/, 'one group per Sovereign, by name or FQDN');
      assert.match(String((smoke as Obj)['environment']), /format\(inputs\.environment, fromJSON\(needs\.plan\.outputs\.names\)\[matrix\.sovereign\]\)/, 'the Environment is named by the Sovereign\'s name');
      assert.equal(smoke.concurrency?.['cancel-in-progress'], false, 'a newer run must not cancel a provision\'s check');
      const annotate = step(w, /annotated/);
      assert.equal(annotate.if, 'always()');
      assert.match(annotate.run ?? '', /scripts\/gh-annotate\.ts/);
      const upload = (smoke.steps ?? []).find((s) => s.uses?.startsWith('actions/upload-artifact@'));
      assert.equal(upload?.if, 'always()');
      assert.match(step(w, /Every check/).run ?? '', /scripts\/smoke .*"\$\{args\[@\]\}"/);
      assert.match(String(w.jobs['fleet']?.['if' as keyof Job]), /always\(\)/);
    });

    it('the plan step turns the inputs into a validated matrix', (t) => {
      const run = step(w, /target list/).run ?? '';
      const plan = (env: Record<string, string>): { status: number | null; out: string; stdout: string } => {
        const out = join(mkdtempSync(join(tmpdir(), 'gh-plan-')), 'out');
        writeFileSync(out, '');
        const r = spawnSync('bash', ['-c', run], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', GITHUB_OUTPUT: out, SOVEREIGN: '', SOVEREIGNS: '', ...env } });
        return { status: r.status, out: readFileSync(out, 'utf8'), stdout: r.stdout };
      };
      if (spawnSync('sh', ['-c', 'command -v jq'], { stdio: 'ignore' }).status !== 0) {
        t.skip('jq is not installed here (GitHub\'s runners have it)');
        return;
      }
      assert.match(plan({ SOVEREIGN: 'otech64.omani.works' }).out, /sovereigns=\["otech64\.omani\.works"\]\nfleet=false\nnames=\{"otech64\.omani\.works":"otech64"\}\n/);
      assert.match(plan({ SOVEREIGNS: 'otech62,otech64.omani.works' }).out, /names=\{"otech62":"otech62","otech64\.omani\.works":"otech64"\}/);
      assert.match(plan({ SOVEREIGNS: 'otech62, OTECH64,otech62' }).out, /sovereigns=\["otech62","otech64"\]\nfleet=true/);
      const bad = plan({ SOVEREIGNS: 'ok,$(id)' });
      assert.equal(bad.status, 2);
      assert.match(bad.stdout, /::error title=smoke: invalid target::/);
      assert.equal(plan({}).status, 2);
    });

    it('the credentials step writes private files, masks credential values and never echoes them', () => {
      const run = step(w, /Credentials/).run ?? '';
      const tmp = mkdtempSync(join(tmpdir(), 'gh-creds-'));
      const token = `tok-${'x'.repeat(40)}`;
      const keyBody = 'MIIEowIBAAKCAQEAsimulatedkeymaterial0123456789abcdef';
      const genv = join(tmp, 'github-env');
      writeFileSync(genv, '');
      const r = spawnSync('bash', ['-c', run], {
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '',
          RUNNER_TEMP: tmp,
          GITHUB_ENV: genv,
          TARGET: 'otech64',
          KUBECONFIG_TEXT: `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${token}\n`,
          HANDOVER_KEY_TEXT: `-----BEGIN RSA PRIVATE KEY-----\n${keyBody}\n-----END RSA PRIVATE KEY-----`,
        },
      });
      assert.equal(r.status, 0, r.stderr);
      for (const f of ['kubeconfig', 'handover-signing-key']) assert.equal(statSync(join(tmp, 'smoke-credentials', f)).mode & 0o777, 0o600, `${f} is private`);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.ok(lines.includes(`::add-mask::${token}`), 'the kubeconfig token is masked');
      assert.ok(lines.includes(`::add-mask::${keyBody}`), 'the key lines are masked');
      for (const l of lines) assert.ok(l.startsWith('::add-mask::') || (!l.includes(token) && !l.includes(keyBody)), `a secret is echoed: ${l}`);
      assert.match(readFileSync(genv, 'utf8'), /^KUBECONFIG=.*\/smoke-credentials\/kubeconfig\nSMOKE_HANDOVER_KEY_FILE=.*\/smoke-credentials\/handover-signing-key\n$/);
    });

    it('the smoke step passes the target to --sovereign as the CLI takes it, strict unless turned off', () => {
      const run = step(w, /Every check/).run ?? '';
      const tmp = mkdtempSync(join(tmpdir(), 'gh-smoke-'));
      mkdirSync(join(tmp, 'scripts'));
      writeFileSync(join(tmp, 'scripts', 'smoke'), '#!/usr/bin/env bash\necho "FQDN=${SOVEREIGN_FQDN:-} ARGS=$*"\nexit 1\n', { mode: 0o755 });
      const smoke = (target: string, more: Record<string, string> = {}): { status: number | null; stdout: string } =>
        spawnSync('bash', ['-c', run], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', RUNNER_TEMP: tmp, REPORT_DIR: 'rep', TARGET: target, AWAIT: '15m', GREP: '', STRICT: 'true', ...more } });
      const byName = smoke('otech64', { GREP: '@edge' });
      assert.equal(byName.status, 1, 'the suite\'s exit code is the step\'s');
      assert.match(byName.stdout, /^FQDN= ARGS=--sovereign otech64 --report-dir rep --await 15m --strict --grep @edge$/m);
      // An FQDN goes to the CLI as it is: the CLI finds sovereigns/<first label>.env (selftest/cli.test.ts).
      assert.match(smoke('otech70.omani.works', { SETTINGS: '/t/s.env', ALLOW_SKIP: 'handover.login' }).stdout, /^FQDN= ARGS=--sovereign otech70\.omani\.works --report-dir rep --await 15m --env-file \/t\/s\.env --strict --allow-skip handover\.login$/m);
      assert.match(smoke('otech70.omani.works', { STRICT: 'false', AWAIT: '' }).stdout, /^FQDN= ARGS=--sovereign otech70\.omani\.works --report-dir rep --await 15m$/m);
      assert.match(readFileSync(join(tmp, 'smoke-output.log'), 'utf8'), /otech70/);
    });

    it('the settings step takes the caller\'s env file and env lines, and refuses secrets and foreign variables', () => {
      const run = step(w, /caller's settings are/).run ?? '';
      const settings = (files: Record<string, string>, more: Record<string, string>): { status: number | null; stdout: string; out: string; file: string } => {
        const tmp = mkdtempSync(join(tmpdir(), 'gh-settings-'));
        for (const [f, text] of Object.entries(files)) {
          mkdirSync(join(tmp, 'caller', f, '..'), { recursive: true });
          writeFileSync(join(tmp, 'caller', f), text);
        }
        const out = join(tmp, 'github-output');
        writeFileSync(out, '');
        const r = spawnSync('bash', ['-c', run], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', RUNNER_TEMP: tmp, GITHUB_OUTPUT: out, CALLER_ENV_FILE: '', CALLER_ENV: '', ...more } });
        const file = /^file=(.*)$/m.exec(readFileSync(out, 'utf8'))?.[1] ?? '';
        return { status: r.status, stdout: r.stdout, out: readFileSync(out, 'utf8'), file };
      };
      const ok = settings({ 'smoke/otech64.env': '# ours\nSMOKE_CONNECT_TO=console.x.y:443:10.0.0.1:443\nexport SMOKE_TIMEOUT="15s"\n' }, { CALLER_ENV_FILE: 'smoke/otech64.env', CALLER_ENV: 'SMOKE_CERT_MIN_DAYS=7\nHCLOUD_ENDPOINT=https://hc.example/v1\n' });
      assert.equal(ok.status, 0, ok.stdout);
      assert.equal(ok.stdout.trim(), 'caller settings: SMOKE_CONNECT_TO SMOKE_TIMEOUT SMOKE_CERT_MIN_DAYS HCLOUD_ENDPOINT', 'names only, never values');
      const parsed = parseDotenv(readFileSync(ok.file, 'utf8'));
      assert.deepEqual([parsed['SMOKE_TIMEOUT'], parsed['SMOKE_CERT_MIN_DAYS'], parsed['HCLOUD_ENDPOINT']], ['15s', '7', 'https://hc.example/v1'], 'dotenv reads what the step checked');
      assert.equal(settings({}, {}).out, '', 'no settings: no file');

      const bad = settings({}, { CALLER_ENV: 'HCLOUD_TOKEN=abc\nSMOKE_KC_SA_CLIENT_SECRET=s3cr3t\nSMOKE_HANDOVER_KEY_FILE=k.pem\nNODE_OPTIONS=--require x\nSMOKE_X="a\nb"\n' });
      assert.equal(bad.status, 2);
      for (const m of [/HCLOUD_TOKEN looks like a secret/, /SMOKE_KC_SA_CLIENT_SECRET looks like a secret/, /SMOKE_HANDOVER_KEY_FILE looks like a secret/, /NODE_OPTIONS is not a suite variable/, /line 6 is not NAME=value on one line/]) assert.match(bad.stdout, m);
      assert.ok(!bad.stdout.includes('abc') && !bad.stdout.includes('s3cr3t'), 'a refused value is never printed');
      assert.equal(bad.out, '');
      assert.match(settings({}, { CALLER_ENV_FILE: '../etc/passwd' }).stdout, /::error title=smoke: env-file::env-file must be a path inside the calling repository/);
      assert.match(settings({}, { CALLER_ENV_FILE: 'smoke/none.env' }).stdout, /::error title=smoke: env-file::smoke\/none\.env does not exist/);
    });
  });

  describe('selftest.yml', () => {
    const w = load('selftest.yml');
    it('runs the README\'s test command on pushes and pull requests', () => {
      assert.ok('push' in w.on && 'pull_request' in w.on);
      assert.ok(steps(w).some(([, s]) => /^scripts\/test\b/m.test(s.run ?? '')), 'a step runs scripts/test');
      const readme = join(ROOT, 'README.md');
      if (existsSync(readme)) assert.match(readFileSync(readme, 'utf8'), /^scripts\/test\b/m, 'README names scripts/test as the test command');
    });
  });
});

/**
 * The smoke job's own steps, taken from smoke.yml and run in order as a caller's job runs them (the
 * runner's GITHUB_ENV and step outputs carried from step to step, CI=true), with the real
 * `scripts/smoke` against the simulated Sovereign: the caller's settings file names how to reach it
 * (SMOKE_CONNECT_TO, SMOKE_EXTRA_CA_FILE, HCLOUD_ENDPOINT), the secrets arrive as the secret inputs.
 */
describe('smoke.yml, run as a caller\'s job runs it, against the simulator', () => {
  const w = load('smoke.yml');
  let sim: SimHandle;
  before(async () => {
    sim = await startSim({ scenario: 'healthy', name: 'callee' });
  });
  after(async () => {
    await sim?.stop();
  });

  /** Runs the smoke job's steps from the settings step on; returns the smoke step's result and what the annotate step printed. */
  async function job(opts: { key: boolean; grep?: string; strict?: string; allowSkip?: string }): Promise<{ code: number | null; out: string; summary: Summary; annotations: string; temp: string }> {
    const temp = mkdtempSync(join(tmpdir(), 'gh-job-'));
    const caller = mkdtempSync(join(tmpdir(), 'gh-caller-'));
    const report = join(temp, 'report');
    // The caller's repository holds its settings for this Sovereign (non-secret).
    mkdirSync(join(caller, 'caller', 'smoke'), { recursive: true });
    writeFileSync(
      join(caller, 'caller', 'smoke', 'callee.env'),
      ['# how to reach the Sovereign before DNS is right', `SMOKE_CONNECT_TO=${sim.env['SMOKE_CONNECT_TO']}`, `SMOKE_EXTRA_CA_FILE=${sim.env['SMOKE_EXTRA_CA_FILE']}`, `HCLOUD_ENDPOINT=${sim.env['HCLOUD_ENDPOINT']}`, ''].join('\n'),
    );
    const githubEnv = join(temp, 'github-env');
    const githubOutput = join(temp, 'github-output');
    writeFileSync(githubEnv, '');
    writeFileSync(githubOutput, '');
    const base = { ...untargetedEnv(process.env, ['GITHUB_', 'CI']), CI: 'true', RUNNER_TEMP: temp, GITHUB_ENV: githubEnv, GITHUB_OUTPUT: githubOutput, REPORT_DIR: report, TARGET: sim.fqdn };

    const settings = spawnSync('bash', ['-c', step(w, /caller's settings are/).run ?? ''], { cwd: caller, encoding: 'utf8', env: { ...base, CALLER_ENV_FILE: 'smoke/callee.env', CALLER_ENV: 'SMOKE_TIMEOUT=10s' } });
    assert.equal(settings.status, 0, settings.stdout + settings.stderr);
    const settingsFile = /^file=(.*)$/m.exec(readFileSync(githubOutput, 'utf8'))?.[1] ?? '';

    const creds = spawnSync('bash', ['-c', step(w, /Credentials/).run ?? ''], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...base, KUBECONFIG_TEXT: readFileSync(sim.env['KUBECONFIG'] ?? '', 'utf8'), HANDOVER_KEY_TEXT: opts.key ? readFileSync(sim.env['SMOKE_HANDOVER_KEY_FILE'] ?? '', 'utf8') : '' },
    });
    assert.equal(creds.status, 0, creds.stdout + creds.stderr);
    // What the runner does with GITHUB_ENV between steps.
    const fromEnvFile = parseDotenv(readFileSync(githubEnv, 'utf8'));

    // The Environment's HCLOUD_TOKEN secret: a read-only token, as the README says is enough.
    const smokeEnv = { ...base, ...fromEnvFile, HCLOUD_TOKEN: sim.env['HCLOUD_TOKEN'] ?? '', AWAIT: '60s', GREP: opts.grep ?? '', STRICT: opts.strict ?? 'true', ALLOW_SKIP: opts.allowSkip ?? '', SETTINGS: settingsFile };
    const r = await runProcess('bash', ['-c', step(w, /Every check/).run ?? ''], { cwd: ROOT, env: smokeEnv });
    const annotate = spawnSync('bash', ['-c', step(w, /annotated/).run ?? ''], { cwd: ROOT, encoding: 'utf8', env: { ...base, ...fromEnvFile, GITHUB_STEP_SUMMARY: join(temp, 'step-summary.md') } });
    const summary = JSON.parse(readFileSync(join(report, 'summary.json'), 'utf8')) as Summary;
    return { code: r.code, out: r.out, summary, annotations: annotate.stdout, temp };
  }

  it('passes, strict, with the caller\'s settings file and every secret given', async () => {
    const r = await job({ key: true });
    assert.equal(r.code, 0, r.out);
    assert.equal(r.summary.verdict, 'passed');
    assert.equal(r.summary.counts.skipped, 0);
    assert.equal(r.summary.strict?.on, true);
    assert.match(r.out, /^\d+ passed, 0 failed, 0 skipped$/m);
    assert.equal(r.out.trim().split('\n').at(-1), `${r.summary.counts.passed} passed, 0 failed, 0 skipped`);
    assert.match(r.annotations, /^::notice title=Sovereign callee \(callee\.sovereign\.test\) passed::/m);
    assert.match(readFileSync(join(r.temp, 'smoke-output.log'), 'utf8'), /passed, 0 failed/);
  });

  it('fails in strict mode without the signing key, naming the key and the checks it left unchecked', async () => {
    const r = await job({ key: false, grep: '@auth' });
    assert.equal(r.code, 1, r.out);
    assert.equal(r.summary.verdict, 'failed');
    assert.deepEqual(r.summary.strict?.failing, ['handover.login', 'handover.replay-rejected']);
    assert.equal(r.summary.counts.failed, 0, 'nothing failed; strict mode fails the run for what was not checked');
    // Left out by --grep is not "skipped": only the selected @auth checks are in the run.
    assert.ok(r.summary.checks.every((c) => c.tags.includes('@auth')), r.summary.checks.map((c) => c.id).join(' '));
    assert.match(r.out, /Not checked[\s\S]*handover\.login: no handover signing key is configured \(SMOKE_HANDOVER_KEY_FILE/);
    assert.match(r.out, /strict mode: 2 skipped checks fail the run; .*--allow-skip handover\.login,handover\.replay-rejected/);
    assert.match(r.annotations, /^::error title=callee%3A 2 checks not checked \(strict mode fails the run\)::✗ handover\.login: .*SMOKE_HANDOVER_KEY_FILE/m);
    assert.match(readFileSync(join(r.temp, 'report', 'summary.md'), 'utf8'), /## Not checked\n\nStrict mode: 2 skipped checks fail the run/);
    assert.match(readFileSync(join(r.temp, 'report', 'junit.xml'), 'utf8'), /<failure type="not-checked" message="not checked in strict mode: no handover signing key/);
  });

  it('passes without the signing key when the operator allows those skips', async () => {
    const r = await job({ key: false, grep: 'handover\\.(login|replay|session)', allowSkip: 'handover.login,handover.replay-rejected' });
    assert.equal(r.code, 0, r.out);
    assert.equal(r.summary.verdict, 'passed');
    assert.equal(r.summary.counts.skipped, 2);
    assert.match(r.annotations, /^::warning title=callee%3A 2 checks not checked::/m);
  });
});

describe('sovereigns/', () => {
  const example = readFileSync(join(ROOT, 'sovereigns', 'example.env'), 'utf8');
  const readme = readFileSync(join(ROOT, 'sovereigns', 'README.md'), 'utf8');
  const SECRETS = ['HCLOUD_TOKEN', 'SMOKE_KC_SA_CLIENT_SECRET', 'SMOKE_HANDOVER_KEY'];

  it('example.env documents every variable the configuration reads, and assigns no secret', () => {
    const source = readFileSync(join(ROOT, 'clients', 'config.ts'), 'utf8') + readFileSync(join(ROOT, 'playwright.config.ts'), 'utf8');
    const names = new Set([...source.matchAll(/(?:val|duration|bool)\('([A-Z0-9_]+)'|process\.env\['(SMOKE_[A-Z0-9_]+)'\]/g)].map((m) => m[1] ?? m[2] ?? ''));
    assert.ok(names.size >= 25, `found only ${names.size} variables in clients/config.ts`);
    for (const n of names) {
      if (SECRETS.includes(n)) {
        assert.ok(example.includes(n), `example.env does not mention ${n}`);
        assert.doesNotMatch(example, new RegExp(`^#?\\s*${n}=`, 'm'), `example.env assigns the secret ${n}`);
      } else {
        assert.match(example, new RegExp(`^(# )?${n}=`, 'm'), `example.env lacks a ${n}= line`);
      }
    }
  });

  it('example.env is a valid configuration as it stands', () => {
    const r = loadConfig(parseDotenv(example));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  });

  it('the README\'s RBAC section documents both sets of sovereigns/rbac.yaml (which selftest/cluster-checks.test.ts holds to preflight\'s permissions)', () => {
    const r = loadConfig({ SOVEREIGN_FQDN: 'otech64.omani.works' });
    assert.ok(r.ok);
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'sovereigns', 'rbac.yaml'), 'utf8')).map((d) => d.toJS() as { metadata?: { labels?: Record<string, string> } });
    for (const set of ['least-privilege', 'deep']) {
      assert.ok(docs.some((d) => d.metadata?.labels?.['sovereign-smoke.openova.io/set'] === set), `rbac.yaml has no ${set} objects`);
      assert.ok(readme.includes(`\`${set}\``), `README does not describe the ${set} set`);
    }
    assert.match(readme, /kubectl apply -f sovereigns\/rbac\.yaml -l sovereign-smoke\.openova\.io\/set=least-privilege/);
    for (const p of neededPermissions(r.config).filter((x) => x.resource === 'secrets')) assert.ok(readme.includes(`${p.name ?? ''}`), `README does not name Secret ${p.name ?? ''}`);
  });
});

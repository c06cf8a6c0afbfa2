/**
 * The CLI: flags, targets, dotenv precedence, exit code 2 for invalid configuration, --list.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Summary } from '../report/reporter.js';
import { startSim, type SimHandle } from '../sim/index.js';
import { parseArgs, UsageError } from '../scripts/cli-args.js';
import { DEFAULT_SIM_NOTE, prepareTargets, sovereignName, untargetedEnv } from '../scripts/targets.js';
import { ensureBuild } from '../scripts/build.js';
import { CONTRACT_CHECKS } from './contract.js';
import { runProcess } from './run.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'smoke-cli-'));


async function smoke(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runProcess(join(ROOT, 'scripts/smoke'), args, { env: { ...untargetedEnv(), ...env } });
  return { status: r.code, stdout: r.stdout, stderr: r.timedOut ? r.out : r.stderr };
}

describe('scripts/smoke flags', () => {
  it('parses targets, fleets and options', () => {
    assert.deepEqual(parseArgs(['--sim']).targets, [{ kind: 'sim', scenario: 'healthy' }]);
    assert.deepEqual(parseArgs(['--sim', 'lb-no-targets', '--grep', '@edge']).targets, [{ kind: 'sim', scenario: 'lb-no-targets' }]);
    assert.deepEqual(parseArgs(['--sim', '--list']).targets, [{ kind: 'sim', scenario: 'healthy' }]);
    assert.deepEqual(parseArgs(['--sovereign', 'otech62,otech64']).targets.map((t) => t.kind === 'sovereign' && t.name), ['otech62', 'otech64']);
    const o = parseArgs(['--env-file=a.env', '--await', '90s', '--report-dir', 'r', '--grep-invert', 'handover\\.', '--list']);
    assert.equal(o.await, '90s');
    assert.equal(o.reportDir, 'r');
    assert.equal(o.grepInvert, 'handover\\.');
    assert.equal(o.list, true);
  });

  it('rejects unknown flags, bad durations and two kinds of target, all at once', () => {
    assert.throws(() => parseArgs(['--nope', '--await', 'soon', '--sim', '--sovereign', 'x']), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /unknown argument "--nope"/);
      assert.match(err.message, /--await "soon"/);
      assert.match(err.message, /--sim and --sovereign/);
      return true;
    });
  });

  it('lets the environment win over the dotenv file, and flags over both', () => {
    const f = join(dir, 'a.env');
    writeFileSync(f, 'SOVEREIGN_FQDN=file.example.works\nSMOKE_TIMEOUT=3s\nSMOKE_AWAIT=10s\n');
    const [p] = prepareTargets(parseArgs(['--env-file', f, '--await', '2m']), { SMOKE_TIMEOUT: '7s' }, dir);
    assert.equal(p?.env['SOVEREIGN_FQDN'], 'file.example.works');
    assert.equal(p?.env['SMOKE_TIMEOUT'], '7s');
    assert.equal(p?.env['SMOKE_AWAIT'], '2m');
  });

  it('defaults to the healthy simulator only when no target and no SOVEREIGN_FQDN are given', () => {
    assert.equal(prepareTargets(parseArgs([]), {}, dir)[0]?.simScenario, 'healthy');
    assert.equal(prepareTargets(parseArgs([]), { SOVEREIGN_FQDN: 'x.y.z' }, dir)[0]?.simScenario, undefined);
  });

  it('never lets a simulator run inherit the real target variables', () => {
    const [p] = prepareTargets(parseArgs(['--sim']), { HCLOUD_TOKEN: 'real-token-value', KUBECONFIG: '/real', SMOKE_TIMEOUT: '3s' }, dir);
    assert.equal(p?.env['HCLOUD_TOKEN'], undefined);
    assert.equal(p?.env['KUBECONFIG'], undefined);
    assert.equal(p?.env['SMOKE_TIMEOUT'], '3s');
  });

  it('parses --strict and --allow-skip into SMOKE_STRICT and SMOKE_ALLOW_SKIP, and refuses what is not a check id', () => {
    const [p] = prepareTargets(parseArgs(['--sim', '--strict', '--allow-skip', 'handover.login, handover.replay-rejected']), {}, dir);
    assert.equal(p?.env['SMOKE_STRICT'], 'true');
    assert.equal(p?.env['SMOKE_ALLOW_SKIP'], 'handover.login,handover.replay-rejected');
  });

  it('refuses an --allow-skip or SMOKE_ALLOW_SKIP id that is not a check of the registry, before anything runs', async () => {
    const r = await smoke(['--sim', '--strict', '--allow-skip', 'handover.login,login']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /SMOKE_ALLOW_SKIP.*"login" is not a check id; the checks: preflight\.kube-access,/);
    assert.doesNotMatch(r.stderr, /"handover\.login"/);
    const fromEnv = await smoke(['--sim'], { SMOKE_ALLOW_SKIP: 'lb.target' });
    assert.equal(fromEnv.status, 2, fromEnv.stderr);
    assert.match(fromEnv.stderr, /"lb\.target" is not a check id/);
  });

  it('takes an FQDN as --sovereign exactly as the workflow does', () => {
    assert.deepEqual(sovereignName('Otech64.omani.works.'), { name: 'otech64', fqdn: 'otech64.omani.works' });
    assert.deepEqual(sovereignName('otech64'), { name: 'otech64' });
    // No sovereigns/otech70.env: the FQDN alone is the target.
    const [a] = prepareTargets(parseArgs(['--sovereign', 'otech70.omani.works']), {}, dir);
    assert.deepEqual(a?.problems, []);
    assert.equal(a?.env['SOVEREIGN_FQDN'], 'otech70.omani.works');
    assert.equal(a?.env['SMOKE_SOVEREIGN'], 'otech70');
    assert.equal(a?.label, 'otech70');
    // sovereigns/example.env exists and names otech64.omani.works: another FQDN for it is refused.
    const [b] = prepareTargets(parseArgs(['--sovereign', 'example.other.works']), {}, dir);
    assert.match(b?.problems.map((x) => `${x.variable}: ${x.problem}`).join('\n') ?? '', /SOVEREIGN_FQDN: is otech64\.omani\.works \(from the settings files\), but --sovereign names example\.other\.works/);
    const [c] = prepareTargets(parseArgs(['--sovereign', 'example.omani.works']), { SOVEREIGN_FQDN: 'example.omani.works' }, dir);
    assert.deepEqual(c?.problems, []);
    // A name still needs its file; a fleet of FQDNs is still a fleet.
    assert.match(prepareTargets(parseArgs(['--sovereign', 'otech70']), {}, dir)[0]?.problems[0]?.problem ?? '', /otech70\.env does not exist/);
    assert.deepEqual(prepareTargets(parseArgs(['--sovereign', 'a.x.works,b.x.works']), {}, dir).map((p) => [p.label, p.env['SOVEREIGN_FQDN']]), [['a', 'a.x.works'], ['b', 'b.x.works']]);
  });

  it('counts a variable from a file as one from the environment: SMOKE_REPORT_DIR, SMOKE_STRICT', () => {
    const f = join(dir, 'report.env');
    writeFileSync(f, 'SOVEREIGN_FQDN=file.example.works\nSMOKE_REPORT_DIR=from-file\nSMOKE_STRICT=true\n');
    const [p] = prepareTargets(parseArgs(['--env-file', f]), {}, dir);
    assert.equal(p?.env['SMOKE_REPORT_DIR'], join(dir, 'from-file'));
    assert.equal(p?.env['SMOKE_STRICT'], 'true');
    assert.equal(prepareTargets(parseArgs(['--env-file', f]), { SMOKE_REPORT_DIR: '/env-wins' }, dir)[0]?.env['SMOKE_REPORT_DIR'], '/env-wins');
    assert.equal(prepareTargets(parseArgs(['--env-file', f, '--report-dir', 'flag']), { SMOKE_REPORT_DIR: '/env' }, dir)[0]?.env['SMOKE_REPORT_DIR'], join(dir, 'flag'));
  });

  it('layers --env-file over a --sovereign\'s own file (the workflow\'s caller settings), under the environment', () => {
    const f = join(dir, 'caller.env');
    writeFileSync(f, 'SMOKE_TIMEOUT=4s\nSMOKE_CERT_MIN_DAYS=3\nSMOKE_REPORT_DIR=caller-report\n');
    const o = parseArgs(['--sovereign', 'example', '--env-file', f]);
    assert.deepEqual(o.settings, [f]);
    const [p] = prepareTargets(o, { SMOKE_CERT_MIN_DAYS: '9' }, dir);
    assert.deepEqual(p?.problems, []);
    assert.equal(p?.env['SOVEREIGN_FQDN'], 'otech64.omani.works', 'from sovereigns/example.env');
    assert.equal(p?.env['SMOKE_TIMEOUT'], '4s', 'the settings file over the Sovereign\'s file');
    assert.equal(p?.env['SMOKE_CERT_MIN_DAYS'], '9', 'the environment over both');
    assert.equal(p?.env['SMOKE_REPORT_DIR'], join(dir, 'caller-report'));
    assert.throws(() => parseArgs(['--sim', '--env-file', f]), /--env-file and --sim|--sim and --env-file/);
  });

  it('without a target: the healthy simulator, marked as the default; under CI a configuration error', () => {
    const [p] = prepareTargets(parseArgs([]), {}, dir);
    assert.equal(p?.defaultSim, true);
    assert.deepEqual(p?.problems, []);
    assert.equal(prepareTargets(parseArgs(['--sim']), {}, dir)[0]?.defaultSim, undefined, '--sim is a target');
    const [ci] = prepareTargets(parseArgs([]), { CI: 'true' }, dir);
    assert.match(ci?.problems[0]?.problem ?? '', /no Sovereign named.*--sovereign NAME or FQDN.*--env-file FILE.*SOVEREIGN_FQDN.*--sim/);
    assert.deepEqual(prepareTargets(parseArgs(['--sim']), { CI: 'true' }, dir)[0]?.problems, []);
    assert.match(DEFAULT_SIM_NOTE, /embedded simulated Sovereign, not a real one/);
  });

  it('puts each Sovereign of a fleet in its own report directory', () => {
    const ps = prepareTargets(parseArgs(['--sim', 'healthy,healthy', '--report-dir', 'out']), {}, dir);
    assert.deepEqual(ps.map((p) => p.label), ['sim1-healthy', 'sim2-healthy']);
    assert.deepEqual(ps.map((p) => p.env['SMOKE_REPORT_DIR']), [join(dir, 'out', 'sim1-healthy'), join(dir, 'out', 'sim2-healthy')]);
  });
});

describe('scripts/smoke invalid configuration', () => {
  it('exits 2 naming every bad variable, with no stack trace and nothing run', async () => {
    const f = join(dir, 'bad.env');
    writeFileSync(f, ['SMOKE_CONSOLE_URL=console', 'SMOKE_AWAIT=forever', 'SMOKE_CONNECT_TO=console.x:443', `SMOKE_HANDOVER_KEY_FILE=${join(dir, 'nope.pem')}`, 'SMOKE_KUBE_CONTEXT=ghost', `KUBECONFIG=${join(dir, 'nokube')}`].join('\n'));
    const r = await smoke(['--env-file', f, '--report-dir', join(dir, 'bad-report')]);
    assert.equal(r.status, 2, r.stderr);
    for (const v of ['SOVEREIGN_FQDN', 'SMOKE_CONSOLE_URL', 'SMOKE_AWAIT', 'SMOKE_CONNECT_TO', 'SMOKE_HANDOVER_KEY_FILE', 'KUBECONFIG']) assert.match(r.stderr, new RegExp(`- ${v}: `), `${v} not named:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'stack trace in output');
    assert.doesNotMatch(r.stdout, /passed/);
  });

  it('exits 2 for a Sovereign without a settings file, and for an unknown scenario', async () => {
    const a = await smoke(['--sovereign', 'no-such-sovereign']);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /sovereigns\/no-such-sovereign\.env does not exist/);
    const b = await smoke(['--sim', 'no-such-scenario']);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /unknown scenario "no-such-scenario"/);
  });

  it('exits 2 under CI when no Sovereign is named, listing the ways to name one', async () => {
    const r = await smoke([], { CI: 'true' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /- target: no Sovereign named, and under CI \(CI=true\) the suite does not fall back to the simulator/);
    assert.doesNotMatch(r.stdout, /passed/);
  });

  it('exits 2 with the usage for an unknown flag', async () => {
    const r = await smoke(['--frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown argument "--frobnicate"[\s\S]*usage: scripts\/smoke/);
  });
});

describe('scripts/smoke --list', () => {
  it('prints every check of the contract with its tags, and runs nothing', async () => {
    const r = await smoke(['--list']);
    assert.equal(r.status, 0, r.stderr);
    for (const id of CONTRACT_CHECKS) assert.match(r.stdout, new RegExp(`^${id.replace('.', '\\.')}\\s+@`, 'm'), `${id} missing from --list:\n${r.stdout}`);
  });

  it('applies --grep by tag', async () => {
    const r = await smoke(['--list', '--grep', '@edge']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^tls\.handshake/m);
    assert.doesNotMatch(r.stdout, /^handover\.login/m);
  });
});

describe('scripts/smoke with an env file, against the simulator', () => {
  let sim: SimHandle;
  before(async () => {
    sim = await startSim({ scenario: 'healthy', name: 'fromfile' });
  });
  after(async () => {
    await sim?.stop();
  });

  it('a simulated run never sees a real target\'s variables, also through the engine started on standby', async () => {
    // scripts/launch.mjs starts the engine ahead with the command's environment, real credentials
    // included; the run's environment replaces it whole (scripts/engine.ts settingsFromFd).
    await ensureBuild();
    const report = mkdtempSync(join(tmpdir(), 'smoke-standby-'));
    const real = { HCLOUD_TOKEN: 'real-hcloud-token-value', SMOKE_CONSOLE_URL: 'https://console.real.invalid', SMOKE_HANDOVER_EMAIL: 'intruder@real.invalid', SMOKE_AWAIT: '5s' };
    const r = await runProcess(join(ROOT, 'scripts/smoke'), ['--sim', '--grep', 'lb\\.targets|tls\\.handshake|handover\\.login', '--report-dir', report], { env: { ...untargetedEnv(), ...real } });
    assert.equal(r.code, 0, r.out);
    const summary = JSON.parse(readFileSync(join(report, 'summary.json'), 'utf8')) as Summary;
    assert.deepEqual(summary.checks.map((c) => [c.id, c.status]).sort(), [['handover.login', 'passed'], ['lb.targets', 'passed'], ['tls.handshake', 'passed']]);
    assert.doesNotMatch(r.out + readFileSync(join(report, 'summary.md'), 'utf8'), /real\.invalid|real-hcloud-token/);
  });

  it('writes the reports where the file\'s SMOKE_REPORT_DIR says (relative to the working directory)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smoke-cwd-'));
    const f = join(cwd, 'sovereign.env');
    writeFileSync(f, [...Object.entries(sim.env).map(([k, v]) => `${k}=${v}`), 'SMOKE_REPORT_DIR=reports-from-file', ''].join('\n'));
    const r = await runProcess(join(ROOT, 'scripts/smoke'), ['--env-file', f, '--grep', 'tls\\.handshake'], { cwd, env: untargetedEnv() });
    assert.equal(r.code, 0, r.out);
    const summary = JSON.parse(readFileSync(join(cwd, 'reports-from-file', 'summary.json'), 'utf8')) as Summary;
    assert.deepEqual(summary.checks.map((c) => [c.id, c.status]), [['tls.handshake', 'passed']]);
    assert.ok(!existsSync(join(cwd, 'smoke-report')), 'nothing went to the default ./smoke-report');
    assert.equal(r.stdout.trim().split('\n').at(-1), '1 passed, 0 failed, 0 skipped');
  });
});

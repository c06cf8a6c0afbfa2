/**
 * The CLI: flags, targets, dotenv precedence, exit code 2 for invalid configuration, --list.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs, prepareTargets, untargetedEnv, UsageError } from '../scripts/smoke.js';
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

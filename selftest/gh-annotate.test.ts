 
/**
 * scripts/gh-annotate.ts: the GitHub annotations and job summary for a failing run and a fleet, and
 * that nothing secret-shaped passes through (reports, logs, the environment's credentials).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { CAUSES } from '../report/causes.js';
import { renderMarkdown, type CheckSummary, type Summary } from '../report/reporter.js';
import type { FleetSummary } from '../scripts/fleet.js';
import { annotateFleet, annotateSummary, collectFleet, escapeData, escapeProperty, failureAnnotations } from '../scripts/gh-annotate.js';
import { untargetedEnv } from '../scripts/targets.js';

const ROOT = resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'gh-annotate-'));

// Secret-shaped values a careless message could carry (all fake).
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzbW9rZUBleGFtcGxlIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const HCLOUD = `hc${'Q7'.repeat(31)}`;
const KUBE_TOKEN = `kube-${'z9'.repeat(20)}`;
const SESSION = 'catalyst_session=s3ss10nv4lu3xyz';

function check(id: string, status: CheckSummary['status'], causeId?: keyof typeof CAUSES, message?: string): CheckSummary {
  const c: CheckSummary = { id, title: `${id}: title`, tags: [], status, durationMs: 10 };
  if (status !== 'passed') c.message = message ?? `${id} saw something else`;
  if (causeId) {
    c.causeId = causeId;
    c.cause = `${CAUSES[causeId].title}. Next: ${CAUSES[causeId].next}`;
  }
  return c;
}

function summary(sovereign: string, checks: CheckSummary[]): Summary {
  const failed = checks.filter((c) => c.status === 'failed');
  const roots = [...new Set(failed.map((c) => c.causeId).filter((x): x is keyof typeof CAUSES => !!x))];
  return {
    sovereign,
    fqdn: `${sovereign}.omani.works`,
    startedAt: '2026-05-03T10:00:00.000Z',
    durationMs: 8000,
    verdict: failed.length ? 'failed' : 'passed',
    sideEffects: [],
    counts: { passed: checks.filter((c) => c.status === 'passed').length, failed: failed.length, skipped: checks.filter((c) => c.status === 'skipped').length },
    rootCauses: roots.map((id) => ({ id, title: CAUSES[id].title, next: CAUSES[id].next, checks: failed.filter((c) => c.causeId === id).map((c) => c.id) })),
    provenance: { 'suite commit': 'abc1234' },
    checks,
  };
}

const healthy = (name: string): Summary =>
  summary(name, [check('tls.certificate', 'passed'), check('lb.targets', 'passed'), check('handover.login', 'skipped', 'handover-key-unconfigured', 'no signing key configured')]);

const failing = summary('otech64', [
  check('lb.targets', 'failed', 'lb-no-targets', 'load_balancer catalyst-otech64-omani-works-lb: expected ≥1 target, saw 0'),
  check('lb.health', 'failed', 'lb-no-targets', 'no targets to be healthy'),
  check('handover.login', 'failed', 'sovereign-fqdn', `401 invalid audience for ${JWT}; cookie ${SESSION}; Authorization: Bearer ${KUBE_TOKEN}, hcloud ${HCLOUD}`),
  check('tls.certificate', 'passed'),
]);

/** Runs the CLI with a clean environment plus `env`. */
function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; stepSummary: string } {
  const stepSummary = join(mkdtempSync(join(tmp, 'step-')), 'summary.md');
  writeFileSync(stepSummary, '');
  const clean = untargetedEnv(process.env, ['GITHUB_']);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'gh-annotate.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...clean, GITHUB_STEP_SUMMARY: stepSummary, ...env } as NodeJS.ProcessEnv,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, stepSummary: readFileSync(stepSummary, 'utf8') };
}

function assertNoSecrets(text: string): void {
  for (const s of [JWT, HCLOUD, KUBE_TOKEN, 's3ss10nv4lu3xyz']) assert.ok(!text.includes(s), `a secret passed through: …${s.slice(0, 8)}…\n${text}`);
}

describe('gh-annotate', () => {
  after(() => rmSync(tmp, { recursive: true, force: true }));
  it('escapes workflow-command data and properties', () => {
    assert.equal(escapeData('50% a\r\nb'), '50%25 a%0D%0Ab');
    assert.equal(escapeProperty('x: a, b'), 'x%3A a%2C b');
  });

  it('annotates each root cause once (not each check that saw it), then one notice', () => {
    const lines = annotateSummary(failing);
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => !l.includes('\n')), 'one line per annotation');
    assert.equal(
      lines[0],
      `::error title=otech64%3A ${escapeProperty(CAUSES['lb-no-targets'].title)} [lb-no-targets]::${escapeData(`Seen by 2 checks: lb.targets, lb.health\nNext: ${CAUSES['lb-no-targets'].next}\nlb.targets saw: load_balancer catalyst-otech64-omani-works-lb: expected ≥1 target, saw 0`)}`,
    );
    assert.match(lines[1] ?? '', /^::error title=otech64%3A .* \[sovereign-fqdn\]::Seen by 1 check: handover\.login%0ANext: .*handover\.login saw: 401 invalid audience/);
    assert.match(lines[2] ?? '', /^::notice title=Sovereign otech64 \(otech64\.omani\.works\) failed \(root cause%3A lb-no-targets%2C sovereign-fqdn\)::1 passed, 3 failed, 0 skipped/);
    assertNoSecrets(lines.join('\n'));
  });

  it('says what was not checked: a warning, or an error naming the fix when strict mode fails the run', () => {
    const lenient = annotateSummary(healthy('otech62'));
    assert.match(lenient[0] ?? '', /^::warning title=otech62%3A 1 check not checked::- handover\.login: no signing key configured; to run it: set SMOKE_HANDOVER_KEY_FILE.*%0ANot strict/);
    const strict: Summary = { ...healthy('otech62'), verdict: 'failed', strict: { on: true, allowSkip: [], failing: ['handover.login'] } };
    const lines = annotateSummary(strict);
    assert.match(lines[0] ?? '', /^::error title=otech62%3A 1 check not checked \(strict mode fails the run\)::✗ handover\.login: no signing key configured; to run it: set SMOKE_HANDOVER_KEY_FILE.*allow-skip: handover\.login$/);
    assert.match(lines.at(-1) ?? '', /^::notice title=Sovereign otech62 \(otech62\.omani\.works\) failed \(not checked in strict mode%3A handover\.login\)::/);
    const allowed: Summary = { ...healthy('otech62'), strict: { on: true, allowSkip: ['handover.login'], failing: [] } };
    assert.match(annotateSummary(allowed)[0] ?? '', /^::warning /);
  });

  it('puts each distinct root cause first and folds what exceeds GitHub\'s ten errors into one', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ sovereign: 's', check: check(`a.c${String(i).padStart(2, '0')}`, 'failed', i === 11 ? 'tls-expiring' : 'gitops-not-ready') }));
    const lines = failureAnnotations(many);
    assert.equal(lines.length, 10);
    assert.match(lines[1] ?? '', /a\.c11.*\[tls-expiring\]/, 'the second root cause is not buried');
    assert.match(lines[9] ?? '', /^::error title=3 more failed checks::.*s a\.c08 \[gitops-not-ready\]%0As a\.c09/);
  });

  it('annotates a fleet: failed checks by Sovereign, a Sovereign without a report, one notice', () => {
    const fleet: FleetSummary = {
      startedAt: '2026-05-03T10:00:00.000Z',
      verdict: 'failed',
      sovereigns: [
        { name: 'otech62', fqdn: 'otech62.omani.works', verdict: 'passed', reportDir: 'r/otech62', summary: healthy('otech62') },
        { name: 'otech64', fqdn: 'otech64.omani.works', verdict: 'failed', reportDir: 'r/otech64', summary: failing },
        { name: 'otech68', fqdn: 'otech68.omani.works', verdict: 'failed', reportDir: 'r/otech68', error: `the suite did not produce r/otech68/summary.json; token=${JWT}` },
      ],
    };
    const lines = annotateFleet(fleet);
    assert.match(lines[0] ?? '', /^::error title=Sovereign otech68%3A no report::the suite did not produce/);
    assert.equal(lines.filter((l) => l.startsWith('::error title=otech64%3A ')).length, 2, 'one per root cause');
    assert.ok(lines.some((l) => l.startsWith('::warning title=otech62%3A 1 check not checked')));
    assert.match(lines.at(-1) ?? '', /^::notice title=Fleet%3A 1\/3 Sovereigns passed::passed: otech62%0Afailed: otech64, otech68$/);
    assertNoSecrets(lines.join('\n'));
  });

  it('CLI: a failing report becomes annotations and the job summary, with no secret in either', () => {
    const dir = join(tmp, 'one');
    mkdirSync(dir);
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(failing));
    writeFileSync(join(dir, 'summary.md'), `${renderMarkdown(failing)}\nleaked ${HCLOUD} and ${KUBE_TOKEN}\n`);
    const kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: "${KUBE_TOKEN}"\n`);
    const r = cli([dir], { HCLOUD_TOKEN: HCLOUD, KUBECONFIG: kubeconfig });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('::error ')).length, 2);
    assert.match(r.stepSummary, /^# ❌ Sovereign otech64 \(otech64\.omani\.works\): failed/);
    assert.match(r.stepSummary, /leaked \[redacted HCLOUD_TOKEN\] and \[redacted kubeconfig token\]/);
    assertNoSecrets(r.stdout + r.stderr + r.stepSummary);
  });

  it('CLI: a run that left no report is one error quoting the end of its log', () => {
    const log = join(tmp, 'run.log');
    writeFileSync(log, `starting\nsovereign-smoke: invalid configuration (1 problem); nothing ran:\n  - SMOKE_AWAIT: "soon" is not a duration\nAuthorization: Bearer ${KUBE_TOKEN}\n`);
    const r = cli(['--log', log, join(tmp, 'nothing-here')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^::error title=sovereign-smoke%3A the run left no report::no summary\.json or fleet\.json in .*%0ALast lines of the run:%0Astarting%0Asovereign-smoke: invalid configuration.*SMOKE_AWAIT/m);
    assert.match(r.stepSummary, /# ❌ sovereign-smoke left no report/);
    assertNoSecrets(r.stdout + r.stepSummary);
  });

  it('CLI: a scripts/smoke fleet report (fleet.json) is annotated per Sovereign', () => {
    const dir = join(tmp, 'fleet');
    mkdirSync(dir);
    const fleet: FleetSummary = {
      startedAt: '2026-05-03T10:00:00.000Z',
      verdict: 'failed',
      sovereigns: [
        { name: 'sim1-healthy', fqdn: 'a.sim.test', verdict: 'passed', reportDir: join(dir, 'sim1-healthy'), summary: healthy('sim1-healthy') },
        { name: 'sim2-healthy', fqdn: 'b.sim.test', verdict: 'passed', reportDir: join(dir, 'sim2-healthy'), summary: healthy('sim2-healthy') },
        { name: 'sim3-lb-no-targets', fqdn: 'c.sim.test', verdict: 'failed', reportDir: join(dir, 'sim3-lb-no-targets'), summary: { ...failing, sovereign: 'sim3-lb-no-targets' } },
      ],
    };
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(fleet));
    const r = cli([dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('::error title=sim3-lb-no-targets%3A ')).length, 2);
    assert.match(r.stdout, /::notice title=Fleet%3A 2\/3 Sovereigns passed::/);
    // No fleet.md beside it: the matrix is rendered from fleet.json.
    assert.match(r.stepSummary, /^# Fleet: 2\/3 Sovereigns passed/);
    assert.match(r.stepSummary, /\| sim3-lb-no-targets \| ❌ failed \|/);
    assertNoSecrets(r.stdout + r.stepSummary);
  });

  it('CLI --fleet-of: the matrix workflow\'s artifacts make one matrix; a missing one fails the fleet', () => {
    const dir = join(tmp, 'artifacts');
    for (const [name, s] of [['otech62', healthy('otech62')], ['otech64', failing]] as const) {
      mkdirSync(join(dir, `smoke-report-${name}`), { recursive: true });
      writeFileSync(join(dir, `smoke-report-${name}`, 'summary.json'), JSON.stringify(s));
    }
    const r = cli(['--fleet-of', dir, '--expect', 'otech62,otech64,otech68.omani.works', '--artifact-prefix', 'smoke-report-']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^::error title=Sovereign otech68\.omani\.works%3A no report::no report for otech68\.omani\.works/m);
    assert.match(r.stdout, /^::error title=Fleet%3A 1\/3 Sovereigns passed::failed: otech64, otech68\.omani\.works$/m);
    assert.match(r.stepSummary, /\| otech62 \| ✅ passed \|/);
    assert.match(r.stepSummary, /\| otech64 \| ❌ failed \|/);
    assert.match(r.stepSummary, /## otech68\.omani\.works/);
    assertNoSecrets(r.stdout + r.stepSummary);

    const ok = cli(['--fleet-of', dir, '--expect', 'otech62', '--artifact-prefix', 'smoke-report-']);
    assert.equal(ok.status, 0);
    assert.match(ok.stdout, /::notice title=Fleet%3A 1\/1 Sovereigns passed::every Sovereign passed/);
  });

  it('collectFleet reads a lone artifact that download-artifact extracted without a sub-directory', () => {
    const dir = join(tmp, 'lone');
    mkdirSync(dir);
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(healthy('otech62')));
    const f = collectFleet(dir, ['otech62.omani.works', 'otech64'], 'smoke-report-');
    assert.deepEqual(f.sovereigns.map((e) => [e.name, e.verdict, !!e.summary]), [['otech62.omani.works', 'passed', true], ['otech64', 'failed', false]]);
  });

  it('usage errors exit 2', () => {
    assert.equal(cli([]).status, 2);
    assert.equal(cli(['--bogus', 'x']).status, 2);
  });
});

/**
 * The summary reporter, tested as Playwright tests its own runner: inline specs that pass, fail with
 * a cause, fail as a symptom, skip, and fail without a cause, run by the real Playwright CLI.
 */
import assert from 'node:assert/strict';
import { runProcess } from './run.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Summary } from '../report/reporter.js';
import { parseWaitLine, StatusLine } from '../report/terminal.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = join(ROOT, '.tmp', `reporter-${process.pid}`);
const report = join(dir, 'report');

const files: Record<string, string> = {
  'playwright.config.ts': `
import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.', workers: 2, retries: 0,
  reporter: [['${ROOT}/report/reporter.ts', { outputDir: '${report}', sovereign: 'inline', fqdn: 'inline.example.test' }]],
});`,
  'preflight.spec.ts': `
import { test } from '@playwright/test';
import '${ROOT}/fixtures/base.js';
import { fail } from '${ROOT}/report/check.js';
test('preflight.kube-access: fails on purpose', () => { fail('kube-unauthenticated', 'API server https://127.0.0.1:1: 401 Unauthorized'); });`,
  'cluster.spec.ts': `
import { test } from '@playwright/test';
import '${ROOT}/fixtures/base.js';
import { skipCheck } from '${ROOT}/report/check.js';
test('gitops.ready: behind the gate', () => { skipCheck('preflight-failed', 'not run: the cluster cannot be read (401); see preflight.kube-access'); });`,
  'outside.spec.ts': `
import { test, expect } from '@playwright/test';
import '${ROOT}/fixtures/base.js';
import { fail, skipCheck, provenance } from '${ROOT}/report/check.js';
import { registerSecret } from '${ROOT}/report/redact.js';
test('tls.certificate: passes', () => { provenance('certificate serial', '0A:0B'); });
test('lb.targets: root cause', () => { fail('lb-no-targets', 'load_balancer x-lb: expected ≥1 target, saw 0'); });
test('tls.handshake: symptom', () => { fail('console-unreachable', 'console.x:443: ECONNRESET'); });
test('handover.login: skipped', () => { skipCheck('handover-key-unconfigured', 'no signing key configured (SMOKE_HANDOVER_KEY_FILE)'); });
test('catalyst-api.state-on-pvc: a bug in the suite itself', () => {
  const pods = undefined as unknown as { items: string[] };
  return pods.items.length;
});
test('handover.replay-rejected: plain failure with a secret', () => {
  const t = registerSecret('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzbW9rZSJ9.c2lnbmF0dXJlLXZhbHVl', 'token');
  expect(1, 'token ' + t + ' was accepted').toBe(2);
});`,
};

let run: { status: number | null; stdout: string; stderr: string };
let summary: Summary;

describe('summary reporter', () => {
  before(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = await runProcess(process.execPath, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', join(dir, 'playwright.config.ts')], { env: process.env });
    run = { status: r.code, stdout: r.stdout, stderr: r.timedOut ? r.out : r.stderr };
    summary = JSON.parse(readFileSync(join(report, 'summary.json'), 'utf8')) as Summary;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 and ends stdout with the closing line', () => {
    assert.equal(run.status, 1, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.at(-1), '1 passed, 5 failed, 2 skipped');
  });

  it('tells the story on the terminal: a line per check, root causes at the end, no code frames for a check\'s own failure', () => {
    const out = run.stdout;
    assert.match(out, /^✓ tls\.certificate \d+\.\d+s$/m, 'quiet on pass');
    assert.match(out, /^✗ lb\.targets \d+\.\d+s: load_balancer x-lb: expected ≥1 target, saw 0 \[lb-no-targets\]$/m);
    assert.match(out, /^- handover\.login skipped: no signing key configured/m);
    const lb = out.split('\n').findIndex((l) => l.startsWith('✗ lb.targets'));
    assert.doesNotMatch(out.split('\n')[lb + 1] ?? '', /^\s+at |^\s*\d+ \||^\s*>/, 'a check\'s own failure shows no stack or code frame');
    assert.doesNotMatch(out, /fixtures\/check\.ts:\d+/, 'no frames into fail()');
    // A crash of the suite itself keeps its stack.
    assert.match(out, /^✗ catalyst-api\.state-on-pvc [\d.]+s: TypeError: Cannot read properties of undefined \(reading 'items'\)\n\s+TypeError: [^\n]*\n\s+at .*outside\.spec\.ts/m);
    const end = out.slice(out.indexOf('\nRoot causes'));
    assert.match(end, /^\nRoot causes\n {2}✗ lb-no-targets: the load balancer has no targets[^\n]*\n {6}seen by lb\.targets, tls\.handshake\n {6}next: /);
    assert.match(end, /Failures without a known cause\n(?: {2}✗ .*\n)*? {2}✗ handover\.replay-rejected: /);
    assert.match(end, /Not checked\n {2}- gitops\.ready: not run: the cluster cannot be read .*; to run it: fix what preflight\.kube-access reports/);
    assert.match(end, / {2}- handover\.login: no signing key configured \(SMOKE_HANDOVER_KEY_FILE\); to run it: set SMOKE_HANDOVER_KEY_FILE/);
    assert.match(end, /Changed nothing on the Sovereign\./);
  });

  it('writes junit.xml with check failures as failures, root cause first, and skips with their reason', () => {
    const xml = readFileSync(join(report, 'junit.xml'), 'utf8');
    assert.match(xml, /<testsuites [^>]*tests="8" failures="5" skipped="2" errors="0"/);
    assert.match(xml, /classname="tls\.handshake"[^>]*>\n\s+<failure type="lb-no-targets" message="\[lb-no-targets\] the load balancer has no targets[^"]*: console\.x:443: ECONNRESET">Root cause: the load balancer has no targets/);
    assert.match(xml, /classname="handover\.login"[^>]*>\n\s+<skipped message="no signing key configured/);
    assert.ok(!xml.includes('c2lnbmF0dXJlLXZhbHVl'), 'token leaked into junit.xml');
  });

  it('writes summary.json with ids, statuses, messages and causes', () => {
    const by = new Map(summary.checks.map((c) => [c.id, c]));
    assert.equal(summary.verdict, 'failed');
    assert.equal(summary.sovereign, 'inline');
    assert.equal(by.get('tls.certificate')?.status, 'passed');
    assert.equal(by.get('tls.certificate')?.message, undefined);
    const lb = by.get('lb.targets');
    assert.equal(lb?.status, 'failed');
    assert.equal(lb?.message, 'load_balancer x-lb: expected ≥1 target, saw 0');
    assert.match(lb?.cause ?? '', /no targets/);
    assert.equal(lb?.causeId, 'lb-no-targets');
    assert.equal(summary.provenance['certificate serial'], '0A:0B');
  });

  it('attributes a symptom to the root cause seen by another check', () => {
    const tls = summary.checks.find((c) => c.id === 'tls.handshake');
    assert.equal(tls?.causeId, 'lb-no-targets');
    assert.match(tls?.cause ?? '', /seen by this check as: console\.<fqdn> cannot be reached/);
  });

  it('reports skips with their reason and cause, including the checks behind a failed preflight', () => {
    const login = summary.checks.find((c) => c.id === 'handover.login');
    assert.equal(login?.status, 'skipped');
    assert.match(login?.message ?? '', /no signing key/);
    assert.match(login?.cause ?? '', /SMOKE_HANDOVER_KEY_FILE/);
    const gitops = summary.checks.find((c) => c.id === 'gitops.ready');
    assert.equal(gitops?.status, 'skipped');
    assert.equal(gitops?.causeId, 'preflight-failed');
    assert.match(gitops?.message ?? '', /not run: the cluster cannot be read .*see preflight\.kube-access/);
    assert.match(gitops?.cause ?? '', /preflight\.kube-access failed/);
  });

  it('gives an unclassified failure a cause and redacts secrets from messages', () => {
    const replay = summary.checks.find((c) => c.id === 'handover.replay-rejected');
    assert.equal(replay?.status, 'failed');
    assert.match(replay?.cause ?? '', /unclassified/);
    assert.ok(!JSON.stringify(summary).includes('c2lnbmF0dXJlLXZhbHVl'), 'token leaked into summary.json');
    assert.ok(!run.stdout.includes('c2lnbmF0dXJlLXZhbHVl'), 'token leaked into stdout');
  });

  it('leads summary.md with the root causes', () => {
    const md = readFileSync(join(report, 'summary.md'), 'utf8');
    assert.ok(md.indexOf('## Root causes') >= 0 && md.indexOf('## Root causes') < md.indexOf('## Checks'), md);
    assert.match(md, /lb-no-targets.*seen by `lb\.targets`, `tls\.handshake`/);
  });
});

describe('summary reporter, strict mode', () => {
  const sdir = join(ROOT, '.tmp', `reporter-strict-${process.pid}`);
  const sreport = join(sdir, 'report');
  let r: { code: number | null; stdout: string };
  let s: Summary;
  before(async () => {
    rmSync(sdir, { recursive: true, force: true });
    mkdirSync(sdir, { recursive: true });
    writeFileSync(join(sdir, 'playwright.config.ts'), `
import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.', workers: 1, retries: 0,
  reporter: [['${ROOT}/report/reporter.ts', { outputDir: '${sreport}', sovereign: 'inline', fqdn: 'inline.example.test', strict: true, allowSkip: ['keycloak.sa-roles'] }]],
});`);
    writeFileSync(join(sdir, 'a.spec.ts'), `
import { test } from '@playwright/test';
import '${ROOT}/fixtures/base.js';
import { skipCheck } from '${ROOT}/report/check.js';
import { converge } from '${ROOT}/clients/poll.js';
test('tls.certificate: passes', () => {});
test('handover.login: no key', () => { skipCheck('handover-key-unconfigured', 'no signing key configured (SMOKE_HANDOVER_KEY_FILE)'); });
test('keycloak.sa-roles: allowed', () => { skipCheck('sa-credentials-missing', 'no service-account credentials'); });
test('lb.targets: not selected', () => {});
test('lb.health: waits for targets to be probed', async () => {
  const started = Date.now();
  await converge({ awaitMs: 60_000, runStartedAt: started }, 'targets of load_balancer x-lb to be probed', async () => ({ done: Date.now() - started > 3200, seen: 'health unknown', value: undefined }), { progressEveryMs: 500, intervals: [200] });
});`);
    const p = await runProcess(process.execPath, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', join(sdir, 'playwright.config.ts'), '--grep-invert', 'not selected'], { env: process.env, deadlineMs: 60_000 });
    r = { code: p.code, stdout: p.stdout };
    s = JSON.parse(readFileSync(join(sreport, 'summary.json'), 'utf8')) as Summary;
  });
  after(() => rmSync(sdir, { recursive: true, force: true }));

  it('fails the run for a skip that is not allowed, and only for it; a check left out by --grep is not a skip', () => {
    assert.equal(r.code, 1, r.stdout);
    assert.equal(s.verdict, 'failed');
    assert.deepEqual(s.strict, { on: true, allowSkip: ['keycloak.sa-roles'], failing: ['handover.login'] });
    assert.deepEqual(s.checks.map((c) => c.id), ['handover.login', 'keycloak.sa-roles', 'lb.health', 'tls.certificate']);
    assert.match(r.stdout, /strict mode: 1 skipped check fails the run; if you knowingly cannot run it: --allow-skip handover\.login/);
    assert.equal(r.stdout.trim().split('\n').at(-1), '2 passed, 0 failed, 2 skipped');
    const md = readFileSync(join(sreport, 'summary.md'), 'utf8');
    assert.match(md, /## Not checked\n\nStrict mode: 1 skipped check fails the run \(`--allow-skip handover\.login` accepts it\)\.\n\n- ❌ handover\.login: no signing key configured \(SMOKE_HANDOVER_KEY_FILE\); to run it: set SMOKE_HANDOVER_KEY_FILE/);
    assert.match(md, /- ⏭️ keycloak\.sa-roles: no service-account credentials/);
    assert.match(readFileSync(join(sreport, 'junit.xml'), 'utf8'), /tests="4" failures="1" skipped="1" errors="0"/);
  });

  it('shows, off a TTY, what a waiting check waits for as plain lines, and the wait at the end', () => {
    assert.match(r.stdout, /^⌛ lb\.health waiting [23](?:\.\d)?s for targets of load_balancer x-lb to be probed \(last: health unknown\)$/m);
    assert.ok((s.checks.find((c) => c.id === 'lb.health')?.waitedMs ?? 0) >= 3000);
    assert.match(r.stdout, /^Waited for the Sovereign to converge: lb\.health 3\.\d+s$/m);
  });
});

describe('summary reporter, when the run hits its global time limit', () => {
  const cut = join(ROOT, '.tmp', `reporter-cut-${process.pid}`);
  const cutReport = join(cut, 'report');
  let r: { code: number | null; stdout: string };
  let s: Summary;
  before(async () => {
    rmSync(cut, { recursive: true, force: true });
    mkdirSync(cut, { recursive: true });
    writeFileSync(join(cut, 'playwright.config.ts'), `
import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.', workers: 1, retries: 0, globalTimeout: 10000, // a worker boots in 1-2 s, or several on a loaded machine
  reporter: [['${ROOT}/report/reporter.ts', { outputDir: '${cutReport}', sovereign: 'inline', fqdn: 'inline.example.test' }]],
});`);
    writeFileSync(join(cut, 'a.spec.ts'), `
import { test } from '@playwright/test';
test('tls.certificate: passes', () => {});
test('lb.targets: hangs', async () => { await new Promise(() => {}); });
test('lb.health: never reached', () => {});`);
    const p = await runProcess(process.execPath, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', join(cut, 'playwright.config.ts')], { env: process.env, deadlineMs: 60_000 });
    r = { code: p.code, stdout: p.out };
    s = JSON.parse(readFileSync(join(cutReport, 'summary.json'), 'utf8')) as Summary;
  });
  after(() => rmSync(cut, { recursive: true, force: true }));

  it('fails the run, though nothing it finished failed, and says why the rest did not run', () => {
    assert.equal(r.code, 1, r.stdout);
    assert.equal(s.verdict, 'failed');
    const by = new Map(s.checks.map((c) => [c.id, c]));
    assert.equal(by.get('tls.certificate')?.status, 'passed');
    assert.notEqual(by.get('lb.targets')?.status, 'passed');
    assert.equal(by.get('lb.health')?.status, 'skipped');
    assert.match(by.get('lb.health')?.message ?? '', /time limit/);
  });
});

describe('terminal: the waits of converging checks', () => {
  const waitLine = '⌛ gitops.ready waiting 12s for HelmRelease flux-system/bp-catalyst-platform to be Ready (last: Progressing)';

  it('parses the wait lines converge() writes', () => {
    assert.deepEqual(parseWaitLine(waitLine), { id: 'gitops.ready', waitedMs: 12_000, what: 'HelmRelease flux-system/bp-catalyst-platform to be Ready (last: Progressing)' });
    assert.equal(parseWaitLine('⌛ tls.handshake waiting 1m30s for x')?.waitedMs, 90_000);
    assert.equal(parseWaitLine('✓ tls.handshake 0.02s'), undefined);
  });

  it('off a TTY (CI): wait lines pass through as plain lines, in order', () => {
    let out = '';
    const s = new StatusLine({ write: (t: string) => (out += t) }, false);
    s.line(waitLine);
    s.line('✓ gitops.ready 14.10s');
    s.stop();
    assert.equal(out, `${waitLine}\n✓ gitops.ready 14.10s\n`);
  });

  it('on a TTY: one status line updated in place, naming each waiting check and how long it has waited, cleared when they finish', () => {
    let out = '';
    let now = 100_000;
    const s = new StatusLine({ write: (t: string) => (out += t), columns: 200 }, true, () => now);
    s.line(waitLine);
    s.line('⌛ tls.handshake waiting 3s for Certificate kube-system/sovereign-wildcard-tls to be issued (last: Issuing)');
    assert.equal(s.status(), '⌛ waiting: gitops.ready 12s for HelmRelease flux-system/bp-catalyst-platform to be Ready · tls.handshake 3s for Certificate kube-system/sovereign-wildcard-tls to be issued');
    now += 5_000;
    assert.match(s.status() ?? '', /gitops\.ready 17s .* tls\.handshake 8s/);
    s.line('✓ gitops.ready 17.00s');
    assert.match(s.status() ?? '', /^⌛ waiting: tls\.handshake 8s/);
    s.line('\u001b[31m✗ tls.handshake 8.00s: reset [console-unreachable]\u001b[39m');
    assert.equal(s.status(), undefined);
    s.stop();
    assert.ok(!out.includes('\n⌛'), 'no wait line was written as a line of its own');
    assert.ok(out.includes('\r\u001b[2K✓ gitops.ready 17.00s\n\r\u001b[2K⌛ waiting: tls.handshake'), 'a finished line is written above the status line, which is drawn again');
    assert.ok(out.endsWith('\u001b[39m\n'), 'the status line is gone after the last check finished');
  });
});

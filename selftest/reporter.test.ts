/**
 * The summary reporter, tested as Playwright tests its own runner: inline specs that pass, fail with
 * a cause, fail as a symptom, skip, and fail without a cause, run by the real Playwright CLI.
 */
import assert from 'node:assert/strict';
import { runProcess } from './run.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Summary } from '../fixtures/reporter.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = join(ROOT, '.tmp', `reporter-${process.pid}`);
const report = join(dir, 'report');

const files: Record<string, string> = {
  'playwright.config.ts': `
import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.', workers: 2, retries: 0,
  reporter: [['${ROOT}/fixtures/reporter.ts', { outputDir: '${report}', sovereign: 'inline', fqdn: 'inline.example.test' }]],
});`,
  'preflight.spec.ts': `
import { test } from '@playwright/test';
import { fail } from '${ROOT}/fixtures/check.js';
test('preflight.kube-access: fails on purpose', () => { fail('kube-unauthenticated', 'API server https://127.0.0.1:1: 401 Unauthorized'); });`,
  'cluster.spec.ts': `
import { test } from '@playwright/test';
import { skipCheck } from '${ROOT}/fixtures/check.js';
test('gitops.ready: behind the gate', () => { skipCheck('preflight-failed', 'not run: the cluster cannot be read (401); see preflight.kube-access'); });`,
  'outside.spec.ts': `
import { test, expect } from '@playwright/test';
import { fail, skipCheck, provenance } from '${ROOT}/fixtures/check.js';
import { registerSecret } from '${ROOT}/fixtures/redact.js';
test('tls.certificate: passes', () => { provenance('certificate serial', '0A:0B'); });
test('lb.targets: root cause', () => { fail('lb-no-targets', 'load_balancer x-lb: expected ≥1 target, saw 0'); });
test('tls.handshake: symptom', () => { fail('console-unreachable', 'console.x:443: ECONNRESET'); });
test('handover.login: skipped', () => { skipCheck('handover-key-unconfigured', 'no signing key configured (SMOKE_HANDOVER_KEY_FILE)'); });
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
    assert.equal(lines.at(-1), '1 passed, 4 failed, 2 skipped');
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
  testDir: '.', workers: 1, retries: 0, globalTimeout: 3000,
  reporter: [['${ROOT}/fixtures/reporter.ts', { outputDir: '${cutReport}', sovereign: 'inline', fqdn: 'inline.example.test' }]],
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

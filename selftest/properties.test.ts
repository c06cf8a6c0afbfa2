/**
 * Properties of every run, proven from the simulator's side:
 * - no secret (kube token, Hetzner token, SA secret, signing key, minted tokens, session cookies)
 *   appears in stdout, stderr or any byte under the report directory (traces and report archives
 *   unzipped), in a failing scenario with traces on;
 * - the suite is read-only: no write to the kube API other than access reviews, none to Hetzner.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { catalystSimState } from '../sim/catalyst-api.js';
import { startSim, type SimHandle } from '../sim/index.js';
import { runSmoke, type SmokeRun } from './run.js';
import { readZipEntries as readZip } from '../clients/zip.js';

const ROOT = resolve(import.meta.dirname, '..');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Every readable byte of the report: plain files, and the entries of every zip (traces, report data). */
function reportTexts(dir: string): { where: string; text: string }[] {
  const texts: { where: string; text: string }[] = [];
  const add = (where: string, buf: Buffer): void => {
    texts.push({ where, text: buf.toString('latin1') });
    if (buf.length > 4 && buf.readUInt32LE(0) === 0x04034b50) {
      for (const e of readZip(buf)) add(`${where}!${e.name}`, e.data);
    }
  };
  for (const f of filesUnder(dir)) add(f, readFileSync(f));
  // The HTML report embeds its data as a base64 zip in index.html.
  for (const t of [...texts]) {
    for (const m of t.text.matchAll(/data:application\/zip;base64,([A-Za-z0-9+/=]+)/g)) add(`${t.where} (embedded zip)`, Buffer.from(m[1] ?? '', 'base64'));
  }
  return texts;
}

function base64Forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
}

describe('properties of a failing run with traces on', () => {
  let sim: SimHandle;
  let run: SmokeRun;
  const report = join(ROOT, '.tmp', `properties-${process.pid}`);

  before(async () => {
    // A scenario where the login goes through (a session cookie is issued) and then fails a check.
    sim = await startSim({ scenario: 'cookie-insecure' });
    run = await runSmoke(['--env-file', sim.envFile, '--report-dir', report, '--trace', 'on']);
  });
  after(async () => {
    await sim.stop();
    rmSync(report, { recursive: true, force: true });
  });

  it('fails, as the scenario must', () => {
    assert.equal(run.status, 1, run.stdout.slice(-2000));
  });

  it('leaks no secret into stdout, stderr or any report file (traces unzipped)', () => {
    const world = sim.context.world;
    const state = catalystSimState(sim.context);
    assert.ok(state.seenTokens.length > 0, 'the run minted and used no handover token: nothing proven');
    assert.ok(state.issuedSessions.length > 0, 'no session cookie was issued: nothing proven');
    const keyPem = readFileSync(sim.env['SMOKE_HANDOVER_KEY_FILE'] ?? '', 'utf8');
    const keyBody = keyPem.split('\n').filter((l) => l && !l.startsWith('-----')).slice(1, 3);
    const clientSecret = world.keycloak.realm.clients.find((c) => c.clientId === 'catalyst-api-server')?.secret ?? '';
    const secrets: [string, string][] = [
      ['kube token', world.kube.token],
      ['hcloud token', world.hcloud.token],
      ['SA client secret', clientSecret],
      ...keyBody.map((l): [string, string] => ['signing key', l]),
      ...state.seenTokens.map((t): [string, string] => ['handover token', t]),
      ...state.issuedSessions.map((t): [string, string] => ['session cookie', t]),
    ];
    const texts = [{ where: 'stdout', text: run.stdout }, { where: 'stderr', text: run.stderr }, ...reportTexts(report)];
    assert.ok(texts.some((t) => t.where.includes('.zip!') || t.where.includes('embedded zip')), 'no archive was searched');
    const leaks: string[] = [];
    for (const [kind, secret] of secrets) {
      assert.ok(secret.length >= 16, `${kind} too short to search for`);
      for (const form of base64Forms(secret)) {
        for (const t of texts) if (t.text.includes(form)) leaks.push(`${kind} in ${t.where.replace(report, '<report>')}`);
      }
    }
    assert.deepEqual([...new Set(leaks)], []);
  });

  it('writes an HTML report that leads with the root cause and links the login\'s evidence beside it', () => {
    const html = readFileSync(join(report, 'html', 'index.html'), 'utf8');
    const rootAt = html.indexOf('Root causes');
    assert.ok(rootAt > 0 && rootAt < html.indexOf('<h2>Checks'), 'the root causes come before the checks');
    assert.match(html, /session-cookie-insecure/);
    for (const [file, type] of [['handover.login-page.png', 'a screenshot'], ['handover.login-browser-requests.txt', 'the request sequence'], ['handover.login-trace.zip', 'the scrubbed trace']] as const) {
      assert.ok(html.includes(`data/${file}`), `the report links ${type} (data/${file})`);
      assert.ok(statSync(join(report, 'html', 'data', file)).size > 0, `data/${file} is written`);
    }
  });

  it('writes nothing to the kube API but access reviews, and nothing to Hetzner', () => {
    const writes = sim.context.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    const kubeWrites = writes.filter((r) => r.server === 'kube' && !/\/apis\/authorization\.k8s\.io\/v1\/(selfsubjectaccessreviews|selfsubjectrulesreviews)/.test(r.path));
    assert.deepEqual(kubeWrites.map((r) => `${r.method} ${r.path}`), []);
    assert.deepEqual(writes.filter((r) => r.server === 'hcloud').map((r) => `${r.method} ${r.path}`), []);
    assert.ok(sim.context.requests.some((r) => r.server === 'kube' && r.method === 'POST'), 'no access review seen: preflight did not run');
  });
});

/**
 * The handover checks and their simulator:
 * - minted tokens carry the mothership's claims (§1.2), RS256, no kid, fresh jti;
 * - the simulated /auth/handover runs the fourteen checks of §1.3 in order, with the exact strings;
 * - redaction: with SMOKE_TRACE=on in a failing scenario, no token the sim received and no session
 *   cookie it issued appears in any file of the report (zips, traces and HTML data included).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import type { Summary } from '../report/reporter.js';
import { handoverClaims, mintHandoverToken, mintVariant } from '../clients/tokens.js';
import { catalystHandler, catalystSimState } from '../sim/catalyst-api.js';
import type { SimContext } from '../sim/context.js';
import { healthyWorld } from '../sim/healthy.js';
import { rsaKeyPair } from '../sim/keys.js';
import { startSim } from '../sim/index.js';
import { startKeycloak } from '../sim/keycloak.js';
import { catalystApiPods } from '../sim/kube-objects.js';
import type { Pki } from '../sim/pki.js';
import { findScenario } from '../sim/scenarios/index.js';
import type { World } from '../sim/world.js';
import { readZipEntries as readZip } from '../clients/zip.js';
import { readSummary, runEngine } from './run.js';
import { AUTH_IDS } from './verdicts.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

void describe('handover tokens', () => {
  void it('carry the §1.2 claims, RS256 without kid, a fresh jti each, five minutes of life', async () => {
    const { privateKey, publicKey } = rsaKeyPair();
    const opts = { issuer: 'https://console.openova.io', fqdn: 'otech64.omani.works', email: 'owner@omani.works', deploymentId: 'ab2135d4cf2d01e4' };
    const a = await mintHandoverToken(privateKey, opts);
    const b = await mintHandoverToken(privateKey, opts);
    assert.deepEqual(decodeProtectedHeader(a), { alg: 'RS256', typ: 'JWT' });
    const { payload } = await jwtVerify(a, publicKey, { algorithms: ['RS256'], issuer: opts.issuer, audience: 'https://console.otech64.omani.works' });
    assert.deepEqual(payload.aud, ['https://console.otech64.omani.works']);
    assert.equal(payload['role'], 'sovereign-admin');
    assert.equal(payload['email_verified'], true);
    assert.equal(payload['sovereign_fqdn'], 'otech64.omani.works');
    // The owner's own identity, never invented: the Sovereign copies both into the session.
    assert.equal(payload['deployment_id'], 'ab2135d4cf2d01e4');
    assert.equal(payload['email'], 'owner@omani.works');
    assert.equal(payload.sub, 'owner@omani.works');
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
    const { payload: pb } = await jwtVerify(b, publicKey);
    assert.notEqual(pb.jti, payload.jti);
    // Variants: the foreign key does not verify; the expired one is past exp; other audience differs.
    await assert.rejects(jwtVerify(await mintVariant('foreign-key', privateKey, opts), publicKey));
    await assert.rejects(jwtVerify(await mintVariant('expired', privateKey, opts), publicKey), { code: 'ERR_JWT_EXPIRED' });
    await assert.rejects(jwtVerify(await mintVariant('other-audience', privateKey, opts), publicKey, { audience: 'https://console.otech64.omani.works' }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });
});

interface Harness {
  world: World;
  ctx: SimContext;
  url: string;
}

async function catalystHarness(scenario = 'healthy'): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-auth-'));
  const world = healthyWorld({ name: 'auth', dir });
  findScenario(scenario)?.apply(world);
  const ctx: SimContext = { world, pki: {} as Pki, requests: [], ports: {} };
  const kc = await startKeycloak(ctx);
  ctx.ports.keycloak = kc.port;
  const server: Server = createServer((req, res) => {
    req.headers['x-forwarded-proto'] = 'https';
    catalystHandler(ctx)(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => kc.close(), () => new Promise<void>((r) => server.close(() => r())), () => rmSync(dir, { recursive: true, force: true }));
  return { world, ctx, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function handover(h: Harness, token: string | undefined, headers: Record<string, string> = { accept: 'application/json' }): Promise<{ status: number; error?: string; location: string | null; cookie: string | null }> {
  const res = await fetch(`${h.url}/auth/handover${token === undefined ? '' : `?token=${token}`}`, { headers: { host: 'console.auth.sovereign.test', ...headers }, redirect: 'manual' });
  const body = await res.text();
  let error: string | undefined;
  try {
    error = (JSON.parse(body) as { error?: string }).error;
  } catch {
    error = undefined;
  }
  return { status: res.status, ...(error ? { error } : {}), location: res.headers.get('location'), cookie: res.headers.get('set-cookie') };
}

type Claims = Record<string, unknown>;

async function sign(h: Harness, claims: Claims, key = h.world.mothershipKey.privateKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(key);
}

function validClaims(h: Harness): Claims {
  return { ...handoverClaims({ issuer: 'https://console.openova.io', fqdn: h.world.fqdn, email: `op@${h.world.fqdn}`, deploymentId: 'ab2135d4cf2d01e4' }) };
}

void describe('simulated /auth/handover: the fourteen checks in order', () => {
  void it('a valid token: 302 /dashboard, catalyst_session HttpOnly Secure SameSite=Lax host-only, catalyst_refresh cleared, whoami 200', async () => {
    const h = await catalystHarness();
    const r = await handover(h, await sign(h, validClaims(h)));
    assert.equal(r.status, 302);
    assert.equal(r.location, '/dashboard');
    assert.match(r.cookie ?? '', /catalyst_session=[^;]+; Path=\/; Max-Age=28800; HttpOnly; Secure; SameSite=Lax/);
    assert.match(r.cookie ?? '', /catalyst_refresh=; Path=\/; Max-Age=0/);
    const session = /catalyst_session=([^;]+)/.exec(r.cookie ?? '')?.[1] ?? '';
    const me = await fetch(`${h.url}/api/v1/whoami`, { headers: { cookie: `catalyst_session=${session}` } });
    assert.equal(me.status, 200);
    // auth.go HandleWhoami: tier and realm_access from the session; FQDN and id from its claims first.
    assert.deepEqual(await me.json(), {
      email: `op@${h.world.fqdn}`, sub: `op@${h.world.fqdn}`, verified: true, tier: 'owner',
      realm_access: { roles: ['catalyst-owner', 'catalyst-admin', 'sovereign-admins'] },
      sovereignFQDN: h.world.fqdn, deploymentId: 'ab2135d4cf2d01e4', mode: 'sovereign',
    });
    assert.equal((await fetch(`${h.url}/api/v1/whoami`)).status, 401);
    // EnsureUser really created the user in the Keycloak fake, in sovereign-admins (the owner existed).
    assert.deepEqual(h.world.keycloak.runtimeUsers.map((u) => [u.email, u.groups]), [[`owner@${h.world.fqdn}`, ['sovereign-admins']], [`op@${h.world.fqdn}`, ['sovereign-admins']]]);
    const fp = catalystSimState(h.ctx).footprint;
    assert.deepEqual(fp.keycloakUsersCreated, [`op@${h.world.fqdn}`]);
    assert.deepEqual(fp.userAccessesCreated, [`op@${h.world.fqdn}`]);
    assert.deepEqual(fp.deploymentRecordsCreated, []);
    // /api/v1/sovereign/self without a cookie: the Pod's env; logout clears the cookies.
    assert.deepEqual(await (await fetch(`${h.url}/api/v1/sovereign/self`)).json(), { deploymentId: 'ab2135d4cf2d01e4', sovereignFQDN: h.world.fqdn });
    const out = await fetch(`${h.url}/api/v1/auth/session`, { method: 'POST', headers: { cookie: `catalyst_session=${session}`, 'x-forwarded-proto': 'https' } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /catalyst_session=; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=0/);
    assert.equal(fp.logouts, 1);
  });

  void it('each failure names the earliest failing check, with the exact string', async () => {
    const h = await catalystHarness();
    const foreign = rsaKeyPair().privateKey;
    const now = Math.floor(Date.now() / 1000);
    // Each row breaks check k AND every later check it can, so only the order decides the answer.
    const later = { role: 'viewer', email_verified: false, email: undefined, jti: undefined };
    const rows: [string, () => Promise<string | undefined>][] = [
      ['missing token parameter', async () => undefined],
      ['invalid token', async () => sign(h, { ...validClaims(h), iss: 'https://evil.example', aud: ['x'], ...later }, foreign)],
      ['invalid token', async () => sign(h, { ...validClaims(h), exp: now - 10, iss: 'https://evil.example' })],
      ['invalid token', async () => sign(h, { ...validClaims(h), exp: undefined })],
      ['invalid issuer', async () => sign(h, { ...validClaims(h), iss: 'https://evil.example', aud: ['x'], ...later })],
      ['invalid audience', async () => sign(h, { ...validClaims(h), aud: ['https://console.other.example'], ...later })],
      ['insufficient role', async () => sign(h, { ...validClaims(h), ...later })],
      ['email not verified', async () => sign(h, { ...validClaims(h), email_verified: false, email: undefined, jti: undefined })],
      ['missing email claim', async () => sign(h, { ...validClaims(h), email: undefined, jti: undefined })],
      ['missing jti', async () => sign(h, { ...validClaims(h), jti: undefined })],
    ];
    for (const [want, make] of rows) {
      const token = await make();
      const r = await handover(h, token === undefined ? undefined : token);
      assert.equal(r.status, 401, want);
      assert.equal(r.error, want);
    }
    // 11: the jti is burned before Keycloak is called.
    const once = await sign(h, validClaims(h));
    assert.equal((await handover(h, once)).status, 302);
    assert.deepEqual(await handover(h, once), { status: 401, error: 'token already used', location: null, cookie: null });
  });

  void it('environment-dependent checks: 2 public key, 5 audience from the Pod env, 10 jti store, 12 Keycloak secret, 13 EnsureUser, 14 session signer', async () => {
    const pod = (h: Harness): string => catalystApiPods(h.world)[0]?.metadata.name ?? '';
    const cases: [string, string, (h: Harness) => void][] = [
      ['healthy', 'server misconfiguration: public key unavailable', (h) => {
        h.world.kube.objects = h.world.kube.objects.filter((o) => !(o.kind === 'Secret' && o.metadata.name === 'catalyst-handover-jwt-public'));
      }],
      ['healthy', 'invalid audience', (h) => {
        h.world.kube.processEnvAtStart[pod(h)] = { SOVEREIGN_FQDN: '' };
      }],
      ['healthy', 'internal error', (h) => {
        const c = (catalystApiPods(h.world)[0]?.['spec'] as { containers: { volumeMounts: { mountPath: string; readOnly?: boolean }[] }[] }).containers[0];
        const m = c?.volumeMounts.find((v) => v.mountPath === '/var/lib/catalyst');
        if (m) m.readOnly = true;
      }],
      ['healthy', 'server misconfiguration: keycloak not configured', (h) => {
        h.world.kube.processEnvAtStart[pod(h)] = { CATALYST_KC_SA_CLIENT_SECRET: '' };
      }],
      ['sa-roles-scope-mappings', 'keycloak error: ensure user', () => {}],
      ['sa-secret-mismatch', 'keycloak error: ensure user', () => {}],
      ['healthy', 'keycloak error: ensure user', (h) => {
        h.world.kube.processEnvAtStart[pod(h)] = { CATALYST_KC_ADDR: `https://auth.${h.world.fqdn}` }; // otech94: not resolvable in the Pod
      }],
      ['healthy', 'internal error', (h) => {
        h.world.kube.processEnvAtStart[pod(h)] = { CATALYST_HANDOVER_KEY_PATH: '' };
      }],
      ['issuer-mismatch', 'invalid issuer', () => {}],
    ];
    for (const [scenario, want, mutate] of cases) {
      const h = await catalystHarness(scenario);
      mutate(h);
      const r = await handover(h, await sign(h, validClaims(h)));
      assert.deepEqual([r.status, r.error], [401, want], `${scenario}: ${want}`);
    }
  });

  void it('no token: JSON 401 for Accept: application/json, 302 to handover-error for a browser navigation', async () => {
    const h = await catalystHarness();
    assert.equal((await handover(h, undefined)).error, 'missing token parameter');
    const nav = await handover(h, undefined, { accept: 'text/html', 'sec-fetch-mode': 'navigate' });
    assert.deepEqual([nav.status, nav.location], [302, '/auth/handover-error?reason=missing_token']);
  });

  void it('routes like HTTPRoute catalyst-ui: /readyz and /healthz to catalyst-api, /dashboard and /login to the SPA; no Ready Pod gives 503', async () => {
    const h = await catalystHarness();
    assert.equal(await (await fetch(`${h.url}/readyz`)).text(), 'ok');
    assert.match(await (await fetch(`${h.url}/dashboard`)).text(), /api\/v1\/whoami/);
    assert.match(await (await fetch(`${h.url}/auth/handover-error?reason=x`)).text(), /<html/);
    for (const p of catalystApiPods(h.world)) (p['status'] as { conditions: { type: string; status: string }[] }).conditions.forEach((c) => (c.status = c.type === 'Ready' ? 'False' : c.status));
    assert.equal((await fetch(`${h.url}/readyz`)).status, 503);
  });
});

/** Runs the engine on the @auth checks against a running sim; returns the summary. */
async function runChecks(env: Record<string, string>, reportDir: string, extra: Record<string, string> = {}): Promise<{ code: number | null; out: string; summary: Summary | undefined }> {
  const r = await runEngine(['--grep', 'handover\\.|keycloak\\.'], { ...env, SMOKE_REPORT_DIR: reportDir, ...extra });
  return { code: r.code, out: r.out, summary: readSummary(reportDir) };
}

function* filesUnder(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* filesUnder(p);
    else yield p;
  }
}

/** Every byte of the report, zips opened (nested too), as text to search. */
function reportTexts(dir: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const add = (name: string, data: Buffer, depth = 0): void => {
    out.push({ name, text: data.toString('latin1') });
    if (depth < 3 && data.length > 22 && data.readUInt32LE(0) === 0x04034b50) {
      for (const e of readZip(data)) add(`${name}!${e.name}`, e.data, depth + 1);
    }
  };
  for (const f of filesUnder(dir)) {
    const data = readFileSync(f);
    add(f, data);
    // The HTML report embeds its data as a base64 zip; report.json embeds attachment bodies as base64.
    if (/\.(html|json|xml|md)$/.test(f)) {
      let i = 0;
      for (const m of data.toString('latin1').matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)) add(`${f}#base64-${i++}`, Buffer.from(m[0], 'base64'));
    }
  }
  return out;
}

// The auth scenarios' verdicts (which auth checks fail, with which root cause, none skipped) are the
// in-process matrix's (selftest/verdicts.ts, AUTH_SCENARIOS), judged there with every other check.
void describe('redaction against the simulator', { concurrency: 1 }, () => {
  // A session issued then refused (cookie in play), and a handover refused (token left in the address bar).
  for (const [scenario, minSessions] of [['login-redirects-to-login', 1], ['issuer-mismatch', 0]] as const) void it(`redaction (${scenario}): with SMOKE_TRACE=on, no token or session cookie appears in any report file`, { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-redaction-'));
    const sim = await startSim({ scenario, dir: join(dir, 'sim') });
    try {
      const report = join(dir, 'report');
      const r = await runChecks(sim.env, report, { SMOKE_TRACE: 'on' });
      assert.equal(r.code, 1, r.out.slice(-2000));
      const st = catalystSimState(sim.context);
      const secrets = [...new Set([...st.seenTokens, ...st.issuedSessions])];
      assert.ok(st.seenTokens.length >= 5, `the sim saw ${st.seenTokens.length} tokens`);
      assert.ok(st.issuedSessions.length >= minSessions, `the sim issued ${st.issuedSessions.length} sessions`);
      const texts = reportTexts(report);
      assert.ok(texts.some((t) => t.name.includes('trace') && t.name.includes('!')), `a trace was attached and opened: ${texts.map((t) => t.name).join('\n').slice(0, 2000)}`);
      assert.ok(texts.some((t) => t.name.endsWith('.png')), 'a screenshot was attached');
      const needles = secrets.flatMap((s) => [s, encodeURIComponent(s), s.split('.')[2] ?? s]);
      for (const t of [...texts, { name: 'stdout', text: r.out }]) {
        for (const n of needles) assert.ok(!t.text.includes(n), `${t.name} contains a token or cookie value`);
      }
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// --- the footprint of a run (issue 12); the owner, whoami and Keycloak rules are selftest/auth-rules.test.ts

void describe('the footprint of a run (issue 12)', { concurrency: 1 }, () => {
  void it('healthy: one owner session, ended; one jti; nothing created', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-footprint-'));
    const sim = await startSim({ scenario: 'healthy', dir: join(dir, 'sim') });
    try {
      const r = await runChecks(sim.env, join(dir, 'report'));
      assert.ok(r.summary, r.out.slice(-3000));
      assert.deepEqual(r.summary.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message ?? ''}`), []);
      const st = catalystSimState(sim.context);
      const owner = `owner@${sim.context.world.fqdn}`;
      assert.deepEqual(st.footprint.sessions, [{ email: owner, deploymentId: 'ab2135d4cf2d01e4', tier: 'owner' }]);
      assert.equal(st.footprint.logouts, 1);
      assert.deepEqual([st.footprint.keycloakUsersCreated, st.footprint.userAccessesCreated, st.footprint.deploymentRecordsCreated], [[], [], []]);
      assert.equal(st.jtis.size, 1, 'one valid token: the replay check replays the login\'s');
      const effects = r.summary.sideEffects;
      assert.equal(effects.length, 2, JSON.stringify(effects));
      assert.ok(effects.some((e) => e.startsWith(`one catalyst_session for ${owner} (deployment ab2135d4cf2d01e4): signed out`)), JSON.stringify(effects));
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('least privilege (no get on Secrets, no SMOKE_KC_SA_*): keycloak.sa-roles decides from the realm import and says so; the login passes', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-leastpriv-'));
    const sim = await startSim({ scenario: 'healthy', dir: join(dir, 'sim') });
    sim.context.world.kube.denied.push('get secrets');
    try {
      const r = await runChecks(sim.env, join(dir, 'report'));
      assert.ok(r.summary, r.out.slice(-3000));
      const mine = r.summary.checks.filter((c) => AUTH_IDS.includes(c.id));
      assert.deepEqual(mine.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message ?? ''}`), []);
      const sa = mine.find((c) => c.id === 'keycloak.sa-roles');
      assert.match(JSON.stringify(sa?.evidence ?? []), /decided from the realm import/);
      // The realm import carries the client secret: it never reaches the report.
      const secret = sim.context.world.keycloak.realm.clients.find((c) => c.clientId === 'catalyst-api-server')?.secret ?? 'none';
      assert.ok(!readFileSync(join(dir, 'report', 'summary.json'), 'utf8').includes(secret));
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('an override email: the run passes and the report names the Keycloak user and UserAccess the Sovereign created', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-override-'));
    const sim = await startSim({ scenario: 'healthy', dir: join(dir, 'sim') });
    try {
      const r = await runChecks(sim.env, join(dir, 'report'), { SMOKE_HANDOVER_EMAIL: 'ops-override@example.org' });
      assert.ok(r.summary, r.out.slice(-3000));
      assert.deepEqual(r.summary.checks.filter((c) => c.status !== 'passed').map((c) => c.id), []);
      const fp = catalystSimState(sim.context).footprint;
      assert.deepEqual([fp.keycloakUsersCreated, fp.userAccessesCreated], [['ops-override@example.org'], ['ops-override@example.org']]);
      const effects = r.summary.sideEffects.join('\n');
      assert.match(effects, /Keycloak user ops-override@example\.org in realm sovereign, group sovereign-admins/);
      assert.match(effects, /UserAccess catalyst-system\/useraccess-owner-ops-override-at-example-org/);
      assert.match(effects, /one catalyst_session for ops-override@example\.org/);
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * console.<fqdn> as HTTPRoute `catalyst-ui` routes it (shared/sovereign.md §1.1): Exact
 * `/auth/handover`, `/readyz`, `/healthz` and PathPrefix `/api/` go to catalyst-api; everything else
 * to catalyst-ui, a single-page app whose auth guard polls `GET /api/v1/whoami` and falls back to
 * `/login`. `api.<fqdn>` goes to catalyst-api whole.
 *
 * `/auth/handover` runs the fourteen checks of §1.3 in the real order with the real error strings.
 * It reads `SOVEREIGN_FQDN` and `CATALYST_KC_*` from the environment the oldest running catalyst-api
 * Pod got at start ({@link podEnv}), so a ConfigMap created after the Pod gives `invalid audience`
 * exactly as on otech62; it reads the public key from the Secret the Pod mounts, and it calls the
 * Keycloak fake over real HTTP with the Pod's service-account credentials (EnsureUser, §1.5).
 *
 * @module
 */
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import type { SimContext } from './context.js';
import { rsaKeyPair } from './keys.js';
import { CATALYST_CHART_VERSION, catalystApiPods, findObject, podEnv } from './kube-objects.js';
import type { KubeObject, World } from './world.js';

/** What catalyst-api holds in memory (and on its PVC); kept per simulator for self-tests. */
export interface CatalystSimState {
  /** The jti store (/var/lib/catalyst/jti.log). */
  jtis: Set<string>;
  /** The Sovereign catalyst-api's own session signer. */
  sessionKey: { privateKey: KeyObject; publicKey: KeyObject };
  /** Every handover token received and every session cookie value issued: what must never leak. */
  seenTokens: string[];
  issuedSessions: string[];
  /** What a handover changed on the Sovereign, beyond what existed at boot (self-tests assert a run's footprint). */
  footprint: SimFootprint;
  /** What existed before the run: the owner's UserAccess (seeded at boot), the deployment records. */
  userAccesses: Set<string>;
  deploymentRecords: Set<string>;
}

/** The changes handovers made while the simulator ran. */
export interface SimFootprint {
  /** One entry per session minted at /auth/handover. */
  sessions: { email: string; deploymentId: string; tier: string }[];
  /** Logouts (POST or DELETE /api/v1/auth/session): they clear the cookie; the JWT stays valid until exp. */
  logouts: number;
  /** Keycloak users EnsureUser created (it found the others). */
  keycloakUsersCreated: string[];
  /** UserAccess catalyst-system/useraccess-owner-<email> created by seedOwnerUserAccess. */
  userAccessesCreated: string[];
  /** Deployment records synthesised for a deployment_id catalyst-api did not hold. */
  deploymentRecordsCreated: string[];
}

/** ConfigMap catalyst-system/sovereign-fqdn data, as it is now. */
function sovereignFqdnData(world: World): Record<string, string> {
  return ((findObject(world, 'ConfigMap', 'catalyst-system', 'sovereign-fqdn')?.['data'] as Record<string, string> | undefined) ?? {});
}

/**
 * What a handed-over Sovereign holds before any smoke run: the owner's UserAccess, which catalyst-api
 * seeds at boot from OPERATOR_EMAIL (= orgEmail) and SOVEREIGN_FQDN; the owner's Keycloak user in
 * sovereign-admins, created by the mothership's own handover; its own deployment record.
 */
function bootState(world: World): { userAccesses: Set<string>; deploymentRecords: Set<string> } {
  const data = sovereignFqdnData(world);
  const owner = data['orgEmail']?.trim().toLowerCase();
  const userAccesses = new Set<string>();
  if (owner) {
    userAccesses.add(owner);
    if (!world.keycloak.runtimeUsers.some((u) => u.email === owner)) world.keycloak.runtimeUsers.push({ id: randomUUID(), username: owner, email: owner, groups: ['sovereign-admins'] });
  }
  const id = data['selfDeploymentId']?.trim();
  return { userAccesses, deploymentRecords: new Set(id ? [id] : []) };
}

const states = new WeakMap<SimContext, CatalystSimState>();

/** The catalyst-api state of a running simulator (self-tests read the secrets it saw and issued). */
export function catalystSimState(ctx: SimContext): CatalystSimState {
  let s = states.get(ctx);
  if (!s) {
    const { privateKey, publicKey } = ctx.keys?.catalystSession ?? rsaKeyPair();
    s = {
      jtis: new Set(),
      sessionKey: { privateKey, publicKey },
      seenTokens: [],
      issuedSessions: [],
      footprint: { sessions: [], logouts: 0, keycloakUsersCreated: [], userAccessesCreated: [], deploymentRecordsCreated: [] },
      ...bootState(ctx.world),
    };
    states.set(ctx, s);
  }
  return s;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function deny(res: ServerResponse, error: string): void {
  json(res, 401, { error });
}

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** The Pod that answers: the oldest running, Ready catalyst-api Pod. */
function servingPod(world: World): KubeObject | undefined {
  return catalystApiPods(world).find((p) => {
    const conds = (p['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    return conds.some((c) => c.type === 'Ready' && c.status === 'True');
  });
}

interface Mount {
  mountPath: string;
  name: string;
  readOnly?: boolean;
  subPath?: string;
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: unknown;
}

function mountFor(pod: KubeObject, path: string): { mount: Mount; volume: Volume | undefined; rel: string } | undefined {
  const spec = pod['spec'] as { containers: { name: string; volumeMounts?: Mount[] }[]; volumes?: Volume[] };
  const container = spec.containers.find((c) => c.name === 'catalyst-api') ?? spec.containers[0];
  const mounts = [...(container?.volumeMounts ?? [])].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const mount = mounts.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
  if (!mount) return undefined;
  return { mount, volume: spec.volumes?.find((v) => v.name === mount.name), rel: posix.relative(mount.mountPath, path) };
}

/** Reads a file the Pod sees, when it comes from a mounted Secret (kubelet keeps those current). */
function readMountedFile(world: World, pod: KubeObject, path: string): string | undefined {
  const m = mountFor(pod, path);
  if (!m?.volume?.secret) return undefined;
  const secret = findObject(world, 'Secret', pod.metadata.namespace, m.volume.secret.secretName);
  const data = (secret?.['data'] as Record<string, string> | undefined) ?? {};
  const key = m.mount.subPath ?? m.volume.secret.items?.find((i) => i.path === m.rel)?.key ?? m.rel;
  const value = data[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

function parsePublicKey(text: string | undefined): KeyObject | undefined {
  if (!text?.trim()) return undefined;
  try {
    const t = text.trim();
    if (t.startsWith('{')) {
      const jwk = JSON.parse(t) as Record<string, unknown>;
      if (jwk['kty'] !== 'RSA' || typeof jwk['n'] !== 'string' || typeof jwk['e'] !== 'string') return undefined;
      return createPublicKey({ key: { kty: 'RSA', n: jwk['n'], e: jwk['e'] }, format: 'jwk' });
    }
    return createPublicKey(t);
  } catch {
    return undefined;
  }
}

/** Maps CATALYST_KC_ADDR (an in-cluster name) to the Keycloak fake; other names do not resolve in the Pod. */
function keycloakBase(ctx: SimContext, addr: string): { base: string; host: string } | undefined {
  let u: URL;
  try {
    u = new URL(addr);
  } catch {
    return undefined;
  }
  const inCluster = /^keycloak(\.keycloak(\.svc(\.cluster\.local)?)?)?\.?$/.test(u.hostname);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  // The Service listens on 80 only (the in-code default :8080 does not answer).
  if (!inCluster || u.protocol !== 'http:' || port !== '80' || !ctx.ports.keycloak) return undefined;
  return { base: `http://127.0.0.1:${ctx.ports.keycloak}${u.pathname.replace(/\/$/, '')}`, host: u.host };
}

/** EnsureUser (internal/keycloak/client.go): token, lookup, create, group, membership. */
async function ensureUser(ctx: SimContext, env: Record<string, string>, email: string): Promise<{ ok: true; id: string; created: boolean } | { ok: false; why: string }> {
  const kc = keycloakBase(ctx, env['CATALYST_KC_ADDR'] || 'http://keycloak.keycloak.svc.cluster.local:8080');
  if (!kc) return { ok: false, why: `dial ${env['CATALYST_KC_ADDR'] ?? '(default)'}: no such host or connection refused` };
  const realm = env['CATALYST_KC_REALM'] || 'sovereign';
  interface Answer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }
  const call = (method: string, path: string, init: { body?: string; token?: string; form?: boolean } = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const r = httpRequest(
        `${kc.base}${path}`,
        {
          method,
          timeout: 5000,
          headers: {
            host: kc.host,
            ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
            ...(init.body ? { 'content-type': init.form ? 'application/x-www-form-urlencoded' : 'application/json', 'content-length': Buffer.byteLength(init.body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(new Error('timeout')));
      r.on('error', reject);
      r.end(init.body);
    });
  const location = (a: Answer): string | undefined => String(a.headers['location'] ?? '').split('/').pop() || undefined;
  try {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: env['CATALYST_KC_SA_CLIENT_ID'] || 'catalyst-api-server', client_secret: env['CATALYST_KC_SA_CLIENT_SECRET'] ?? '' });
    const t = await call('POST', `/realms/${realm}/protocol/openid-connect/token`, { body: form.toString(), form: true });
    if (t.status !== 200) return { ok: false, why: `token: ${t.status}` };
    const token = (JSON.parse(t.body) as { access_token: string }).access_token;
    const lookup = async (): Promise<{ id: string }[] | number> => {
      const r = await call('GET', `/admin/realms/${realm}/users?email=${encodeURIComponent(email)}&exact=true`, { token });
      return r.status === 200 ? (JSON.parse(r.body) as { id: string }[]) : r.status;
    };
    let found = await lookup();
    if (typeof found === 'number') return { ok: false, why: `lookup user: ${found}` };
    let id = found[0]?.id;
    const created = !id;
    if (!id) {
      const c = await call('POST', `/admin/realms/${realm}/users`, { token, body: JSON.stringify({ email, username: email, emailVerified: true, enabled: true, requiredActions: [] }) });
      if (c.status === 201) id = location(c);
      else if (c.status === 409) {
        found = await lookup();
        if (typeof found === 'number') return { ok: false, why: `lookup user: ${found}` };
        id = found[0]?.id;
      } else return { ok: false, why: `create user: ${c.status}` };
      if (!id) return { ok: false, why: 'create user: no Location' };
    }
    const g = await call('GET', `/admin/realms/${realm}/groups?search=sovereign-admins&exact=true`, { token });
    if (g.status !== 200) return { ok: false, why: `groups: ${g.status}` };
    let gid = (JSON.parse(g.body) as { id: string; name: string }[]).find((x) => x.name === 'sovereign-admins')?.id;
    if (!gid) {
      const cg = await call('POST', `/admin/realms/${realm}/groups`, { token, body: JSON.stringify({ name: 'sovereign-admins' }) });
      if (cg.status !== 201) return { ok: false, why: `create group: ${cg.status}` };
      gid = location(cg);
    }
    const m = await call('PUT', `/admin/realms/${realm}/users/${id}/groups/${gid}`, { token });
    if (m.status !== 204) return { ok: false, why: `membership: ${m.status}` };
    return { ok: true, id, created };
  } catch (err) {
    return { ok: false, why: String(err) };
  }
}

function isTls(req: IncomingMessage): boolean {
  return !!(req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] === 'https';
}

interface Session {
  email: string;
  sub: string;
  verified: boolean;
  tier?: string;
  roles?: string[];
  sovereignFqdn?: string;
  deploymentId?: string;
}

async function sessionOf(ctx: SimContext, req: IncomingMessage, url: URL): Promise<Session | undefined> {
  if (ctx.world.catalyst.sessionBroken) return undefined;
  const auth = req.headers.authorization ?? '';
  const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : url.searchParams.get('access_token') ?? cookies(req)['catalyst_session'];
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, catalystSimState(ctx).sessionKey.publicKey, { algorithms: ['RS256'] });
    if (payload['typ'] !== 'session' || typeof payload['email'] !== 'string') return undefined;
    const str = (k: string): string | undefined => (typeof payload[k] === 'string' ? (payload[k] as string) : undefined);
    const roles = (payload['realm_access'] as { roles?: string[] } | undefined)?.roles;
    return {
      email: payload['email'],
      sub: String(payload.sub ?? payload['email']),
      verified: payload['email_verified'] === true,
      ...(str('tier') ? { tier: str('tier') } : {}),
      ...(roles ? { roles } : {}),
      ...(str('sovereign_fqdn') ? { sovereignFqdn: str('sovereign_fqdn') } : {}),
      ...(str('deployment_id') ? { deploymentId: str('deployment_id') } : {}),
    };
  } catch {
    return undefined;
  }
}

async function handover(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL, pod: KubeObject): Promise<void> {
  const world = ctx.world;
  const st = catalystSimState(ctx);
  const env = podEnv(world, pod, 'catalyst-api');
  const token = url.searchParams.get('token');
  // 1. token present (later versions: browsers and existing sessions are redirected instead).
  if (!token) {
    const accept = String(req.headers.accept ?? '');
    if (await sessionOf(ctx, req, url)) return void res.writeHead(302, { location: '/dashboard' }).end();
    if (!accept.includes('application/json') && (accept.includes('text/html') || req.headers['sec-fetch-mode'] === 'navigate')) {
      return void res.writeHead(302, { location: '/auth/handover-error?reason=missing_token' }).end();
    }
    return deny(res, 'missing token parameter');
  }
  st.seenTokens.push(token);
  // 2. public key.
  const keyPath = env['CATALYST_HANDOVER_JWT_PUBLIC_PATH'] || env['CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH'] || '/etc/catalyst/handover-jwt-public/public.jwk';
  const publicKey = parsePublicKey(readMountedFile(world, pod, keyPath));
  if (!publicKey) return deny(res, 'server misconfiguration: public key unavailable');
  // 3. signature (RS256) and exp.
  let claims: Record<string, unknown>;
  try {
    const { payload } = await jwtVerify(token, publicKey, { algorithms: ['RS256'], requiredClaims: ['exp'] });
    claims = payload as Record<string, unknown>;
  } catch {
    return deny(res, 'invalid token');
  }
  // 4. issuer.
  // The accepted-issuer set (auth_handover_issuer_set_test.go, #5614): the configured issuer and the mothership's.
  const accepted = [world.catalyst.expectedIssuer, world.catalyst.configuredIssuer].filter((i): i is string => !!i);
  if (typeof claims['iss'] !== 'string' || !accepted.includes(claims['iss'])) return deny(res, 'invalid issuer');
  // 5. audience: "https://console." + SOVEREIGN_FQDN, from the Pod's environment (incident 1).
  const aud = Array.isArray(claims['aud']) ? (claims['aud'] as unknown[]) : [claims['aud']];
  if (!world.catalyst.acceptAnyAudience && !aud.includes(`https://console.${env['SOVEREIGN_FQDN'] ?? ''}`)) return deny(res, 'invalid audience');
  // 6-9. claims.
  if (claims['role'] !== 'sovereign-admin') return deny(res, 'insufficient role');
  if (claims['email_verified'] !== true) return deny(res, 'email not verified');
  const email = typeof claims['email'] === 'string' ? claims['email'] : '';
  if (!email) return deny(res, 'missing email claim');
  const jti = typeof claims['jti'] === 'string' ? claims['jti'] : '';
  if (!jti) return deny(res, 'missing jti');
  // 10. jti store writable: /var/lib/catalyst must be a writable volume.
  const store = mountFor(pod, '/var/lib/catalyst/jti.log');
  if (!store || store.mount.readOnly || store.volume?.secret || store.volume?.configMap) return deny(res, 'internal error');
  // 11. replay (the jti is burned here, before Keycloak is called).
  if (world.catalyst.replayProtection) {
    if (st.jtis.has(jti)) return deny(res, 'token already used');
    st.jtis.add(jti);
  }
  // 12. Keycloak SA secret configured.
  if (!env['CATALYST_KC_SA_CLIENT_SECRET']) return deny(res, 'server misconfiguration: keycloak not configured');
  // 13. EnsureUser (incident 2: 403 on the user lookup).
  const ensured = await ensureUser(ctx, env, email);
  if (!ensured.ok) return deny(res, 'keycloak error: ensure user');
  if (ensured.created) st.footprint.keycloakUsersCreated.push(email.toLowerCase());
  // 5b. seedOwnerUserAccess (best-effort, never fails the handover): lookupDeploymentForInfra
  // synthesises a record for a deployment_id it does not hold, then UserAccess
  // useraccess-owner-<email> is created unless it exists (user_access_owner_seed.go).
  const depId = typeof claims['deployment_id'] === 'string' ? claims['deployment_id'] : '';
  const claimFqdn = typeof claims['sovereign_fqdn'] === 'string' ? claims['sovereign_fqdn'] : '';
  if (depId) {
    if (!st.deploymentRecords.has(depId)) {
      st.deploymentRecords.add(depId);
      st.footprint.deploymentRecordsCreated.push(depId);
    }
    if (!st.userAccesses.has(email.toLowerCase())) {
      st.userAccesses.add(email.toLowerCase());
      st.footprint.userAccessesCreated.push(email.toLowerCase());
    }
  }
  // 14. session signing with the Sovereign's own signer.
  if (!env['CATALYST_HANDOVER_KEY_PATH']) return deny(res, 'internal error');
  const now = Math.floor(Date.now() / 1000);
  st.footprint.sessions.push({ email, deploymentId: depId, tier: 'owner' });
  const session = await new SignJWT({
    email,
    email_verified: true,
    role: 'sovereign-admin',
    tier: 'owner',
    realm_access: { roles: ['catalyst-owner', 'catalyst-admin', 'sovereign-admins'] },
    typ: 'session',
    keycloak_uid: ensured.id,
    sovereign_fqdn: claimFqdn,
    deployment_id: depId,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(String(claims['iss']))
    .setSubject(email)
    .setIssuedAt(now)
    .setExpirationTime(now + 8 * 3600)
    .setJti(randomUUID())
    .sign(st.sessionKey.privateKey);
  st.issuedSessions.push(session);
  const c = world.catalyst.cookie;
  const domain = c.domain || env['CATALYST_SESSION_COOKIE_DOMAIN'] || '';
  const attrs = ['Path=/', 'Max-Age=28800'];
  if (domain) attrs.push(`Domain=.${domain.replace(/^\./, '')}`);
  if (c.httpOnly) attrs.push('HttpOnly');
  if (c.secure && isTls(req)) attrs.push('Secure');
  if (c.sameSite) attrs.push(`SameSite=${c.sameSite}`);
  res.writeHead(302, {
    location: world.catalyst.redirectTo,
    'set-cookie': [`catalyst_session=${session}; ${attrs.join('; ')}`, 'catalyst_refresh=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax'],
  });
  res.end();
}

/**
 * GET /api/v1/whoami as HandleWhoami answers it (auth.go, openova-io/openova c12016b): email, sub,
 * verified and tier from the session; sovereignFQDN and deploymentId from the session's claims first,
 * then CATALYST_OTECH_FQDN / SOVEREIGN_FQDN and CATALYST_SELF_DEPLOYMENT_ID, then `sovereign-<fqdn>`.
 */
async function whoami(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL, pod: KubeObject): Promise<void> {
  const env = podEnv(ctx.world, pod, 'catalyst-api');
  let s = await sessionOf(ctx, req, url);
  if (!s && ctx.world.catalyst.whoamiWithoutSession) s = { email: `owner@${ctx.world.fqdn}`, sub: 'owner', verified: true };
  if (!s) return json(res, 401, { error: 'unauthenticated' });
  const fqdn = s.sovereignFqdn || env['CATALYST_OTECH_FQDN'] || env['SOVEREIGN_FQDN'] || '';
  const deploymentId = s.deploymentId || env['CATALYST_SELF_DEPLOYMENT_ID'] || (fqdn ? `sovereign-${fqdn}` : '');
  const body: Record<string, unknown> = { email: s.email, sub: s.sub, verified: s.verified };
  if (s.tier) body['tier'] = s.tier;
  if (s.roles?.length) body['realm_access'] = { roles: s.roles };
  if (fqdn) Object.assign(body, { deploymentId, sovereignFQDN: fqdn, mode: 'sovereign' });
  json(res, 200, body);
}

/**
 * GET /api/v1/sovereign/self, outside RequireSession (sovereign_self.go): env first, then the
 * session cookie's claims read WITHOUT verifying it, 503 deployment-id-not-yet-stamped, 404 on the
 * mothership.
 */
function sovereignSelf(req: IncomingMessage, res: ServerResponse, env: Record<string, string>): void {
  let deploymentId = (env['CATALYST_SELF_DEPLOYMENT_ID'] ?? '').trim();
  let fqdn = (env['CATALYST_OTECH_FQDN'] ?? '').trim();
  const c = cookies(req)['catalyst_session'];
  if (c) {
    try {
      const p = JSON.parse(Buffer.from(c.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sovereign_fqdn?: string; deployment_id?: string };
      fqdn ||= p.sovereign_fqdn ?? '';
      deploymentId ||= p.deployment_id ?? '';
    } catch {
      // malformed cookie: env only
    }
  }
  if (!deploymentId && !fqdn) return json(res, 404, { error: 'not-a-sovereign', detail: 'this catalyst-api Pod is not running on a Sovereign cluster (no CATALYST_OTECH_FQDN/SELF_DEPLOYMENT_ID env)' });
  if (!deploymentId) return json(res, 503, { error: 'deployment-id-not-yet-stamped', detail: 'Sovereign FQDN is known but the contabo orchestrator has not yet POSTed the deployment id to this cluster. The handover step is behind — retry shortly.', fqdn });
  json(res, 200, { deploymentId, sovereignFQDN: fqdn });
}

/**
 * Logout: DELETE /api/v1/auth/session (HandleAuthLogout) and POST (HandleAuthSessionLogout) clear
 * catalyst_session and catalyst_refresh (auth_logout_test.go, 398a8c3). The session JWT is stateless:
 * nothing is revoked.
 */
function logout(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  catalystSimState(ctx).footprint.logouts++;
  const secure = isTls(req) ? '; Secure' : '';
  const post = req.method === 'POST';
  const tail = post ? '; HttpOnly; SameSite=Strict; Max-Age=0' : '; HttpOnly; SameSite=Lax; Max-Age=-1';
  const domain = ctx.world.catalyst.cookie.domain ? `; Domain=.${ctx.world.catalyst.cookie.domain.replace(/^\./, '')}` : '';
  json(res, 200, post ? { ok: true, loggedOut: true } : { ok: true, keycloakLogoutURL: '' }, {
    'set-cookie': [`catalyst_session=; Path=/${domain}${secure}${tail}`, `catalyst_refresh=; Path=/${domain}${secure}${tail}`],
  });
}

const SPA = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Catalyst</title>
<style>body{font-family:sans-serif;margin:3rem}#app{max-width:40rem}</style></head>
<body><main id="app" data-view="loading"><p>Loading…</p></main>
<script>
(function () {
  var app = document.getElementById('app');
  function show(view, html) { app.setAttribute('data-view', view); app.innerHTML = html; }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  var path = location.pathname;
  if (path === '/login') {
    show('login', '<h1>Sign in to Catalyst</h1><form><label>Email <input name="email" type="email"></label><button type="submit">Sign in</button></form>');
    return;
  }
  if (path === '/auth/handover-error') {
    show('handover-error', '<h1>Sign-in link failed</h1><p>' + esc(new URLSearchParams(location.search).get('reason') || 'unknown') + '</p>');
    return;
  }
  fetch('/api/v1/whoami', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (r) {
      if (r.status === 401) { location.replace('/login'); return null; }
      if (!r.ok) throw new Error('whoami ' + r.status);
      return r.json();
    })
    .then(function (me) {
      if (!me) return;
      if (path !== '/dashboard') { history.replaceState(null, '', '/dashboard'); }
      show('dashboard', '<h1>Sovereign ' + esc(me.sovereignFQDN) + '</h1><p data-testid="signed-in-as">Signed in as ' + esc(me.email) + '</p>');
    })
    .catch(function (e) { show('error', '<p>' + esc(e.message) + '</p>'); });
})();
</script></body></html>
`;

/**
 * GET /api/v1/version, as openova's handler answers it (products/catalyst/bootstrap/api/internal/
 * handler/version.go@9c58d65d): always 200 JSON, no session; sha from CATALYST_BUILD_SHA or the
 * ldflag (here the image tag CI stamps), chartVersion from CATALYST_CHART_VERSION, buildTime falling
 * back to the process start ("process-start"). Added by the cluster-variants work (provenance).
 */
function version(ctx: SimContext, res: ServerResponse, pod: KubeObject): void {
  const env = podEnv(ctx.world, pod, 'catalyst-api');
  const image = String((pod['spec'] as { containers: { image?: string }[] }).containers[0]?.image ?? '');
  const sha = env['CATALYST_BUILD_SHA'] ?? (image.split(':').at(-1) || 'dev');
  const started = (pod['status'] as { startTime?: string } | undefined)?.startTime ?? '';
  const body = { service: 'catalyst-api', sha, gitSha: sha, version: env['CATALYST_BUILD_VERSION'] ?? CATALYST_CHART_VERSION, chartVersion: env['CATALYST_CHART_VERSION'] ?? CATALYST_CHART_VERSION, buildTime: env['CATALYST_BUILD_TIME'] ?? started, go: 'go1.24.4', buildTimeSource: env['CATALYST_BUILD_TIME'] ? 'env' : 'process-start' };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function handle(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://console');
  const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
  const path = url.pathname;
  const health = (path === '/readyz' || path === '/healthz') && ctx.world.catalyst.healthRoutes !== false;
  const toApi = host.startsWith('api.') || path === '/auth/handover' || health || path.startsWith('/api/');
  if (!toApi) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(SPA);
    return;
  }
  const pod = servingPod(ctx.world);
  // Envoy with no Ready endpoint behind Service catalyst-api.
  if (!pod) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('no healthy upstream');
  if (path === '/healthz' || path === '/readyz') return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
  if (path === '/auth/handover' && req.method === 'GET') return handover(ctx, req, res, url, pod);
  if (path === '/api/v1/whoami' && req.method === 'GET') return whoami(ctx, req, res, url, pod);
  if (path === '/api/v1/sovereign/self' && req.method === 'GET') return sovereignSelf(req, res, podEnv(ctx.world, pod, 'catalyst-api'));
  if (path === '/api/v1/auth/session' && (req.method === 'POST' || req.method === 'DELETE')) return logout(ctx, req, res);
  if (path === '/api/v1/version' && req.method === 'GET') return version(ctx, res, pod);
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
}

/** Handles a request the gateway routed to console.<fqdn> (or api.<fqdn>). */
export function catalystHandler(ctx: SimContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  };
}

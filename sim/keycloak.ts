/**
 * Keycloak as catalyst-api and the suite see it: the `sovereign` realm from its realm import
 * (`world.keycloak.realm`), the client-credentials token endpoint (client secret in the form body or
 * HTTP Basic), JWKS and discovery, and the admin REST endpoints handover's `EnsureUser` uses, each
 * enforcing the realm-management role Keycloak requires (403 `{"error":"HTTP 403 Forbidden"}`).
 *
 * The service-account user's roles come ONLY from the realm import's `users[].clientRoles`: a grant
 * in `clientScopeMappings` widens what a client's tokens may carry, but gives the user nothing, so
 * its token has no realm-management roles and `GET /admin/realms/sovereign/users` answers 403. That
 * is incident 2 (otech62).
 *
 * Served as plain HTTP on loopback (the in-cluster Service `keycloak.keycloak.svc:80`) and, through
 * the gateway, as `https://auth.<fqdn>`.
 *
 * @module
 */
import { createHash, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, SignJWT } from 'jose';
import { logRequest, type RunningServer, type SimContext } from './context.js';
import { rsaKeyPair } from './keys.js';
import type { RealmImport, World } from './world.js';

/** realm-management composite roles, expanded into the token as Keycloak does. */
const COMPOSITES: Record<string, string[]> = {
  'realm-admin': [
    'impersonation', 'manage-users', 'view-users', 'query-users', 'query-groups', 'manage-realm', 'view-realm',
    'manage-clients', 'view-clients', 'query-clients', 'query-realms', 'manage-events', 'view-events',
    'manage-identity-providers', 'view-identity-providers', 'manage-authorization', 'view-authorization', 'create-client',
  ],
  'view-users': ['query-users', 'query-groups'],
  'view-clients': ['query-clients'],
};

/** Keycloak's realm-management role UUIDs are per realm; deterministic here. */
function stableId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface KeycloakState {
  key: { privateKey: KeyObject; publicKey: KeyObject; kid: string; jwk: Record<string, unknown> };
  groupIds: Map<string, string>;
}

const states = new WeakMap<SimContext, KeycloakState>();

function state(ctx: SimContext): KeycloakState {
  let s = states.get(ctx);
  if (!s) {
    const { privateKey, publicKey } = ctx.keys?.keycloakRealm ?? rsaKeyPair();
    const kid = createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 43);
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, kty: 'RSA', alg: 'RS256', use: 'sig' };
    s = { key: { privateKey, publicKey, kid, jwk }, groupIds: new Map() };
    states.set(ctx, s);
  }
  return s;
}

/** Roles the service-account user of `clientId` effectively holds in `client` (users[].clientRoles only). */
export function serviceAccountRoles(realm: RealmImport, clientId: string, client = 'realm-management'): string[] {
  const user = realm.users.find((u) => u.serviceAccountClientId === clientId || u.username === `service-account-${clientId}`);
  const direct = user?.clientRoles?.[client] ?? [];
  const out = new Set<string>();
  const add = (r: string): void => {
    if (out.has(r)) return;
    out.add(r);
    for (const c of COMPOSITES[r] ?? []) add(c);
  };
  direct.forEach(add);
  return [...out].sort();
}

function saUserId(realm: RealmImport, clientId: string): string {
  return stableId(`${realm.realm}/service-account-${clientId}`);
}

function clientUuid(realm: RealmImport, clientId: string): string {
  return realm.clients.find((c) => c.clientId === clientId)?.id ?? stableId(`${realm.realm}/client/${clientId}`);
}

function groupId(ctx: SimContext, name: string): string {
  const s = state(ctx);
  let id = s.groupIds.get(name);
  if (!id) {
    id = stableId(`${ctx.world.keycloak.realm.realm}/group/${name}`);
    s.groupIds.set(name, id);
  }
  return id;
}

type Json = Record<string, unknown> | unknown[];

function send(res: ServerResponse, status: number, body?: Json | string, headers: Record<string, string> = {}): number {
  if (body === undefined) {
    res.writeHead(status, headers).end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain;charset=UTF-8', ...headers }).end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  }
  return status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function origin(req: IncomingMessage): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] === 'https';
  return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'keycloak.keycloak.svc.cluster.local'}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const INVALID_CLIENT = { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' };

async function token(ctx: SimContext, req: IncomingMessage, res: ServerResponse, realmName: string): Promise<number> {
  const realm = ctx.world.keycloak.realm;
  const form = new URLSearchParams(await readBody(req));
  let clientId = form.get('client_id') ?? '';
  let secret = form.get('client_secret') ?? '';
  const auth = req.headers.authorization ?? '';
  if (auth.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    clientId = decodeURIComponent(decoded.slice(0, i < 0 ? undefined : i).replace(/\+/g, ' '));
    secret = i < 0 ? '' : decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' '));
  }
  const grant = form.get('grant_type');
  if (!grant) return send(res, 400, { error: 'invalid_request', error_description: 'Missing form parameter: grant_type' });
  const client = realm.clients.find((c) => c.clientId === clientId);
  if (!client || client.publicClient || !client.secret || !safeEqual(secret, client.secret)) return send(res, 401, INVALID_CLIENT);
  if (grant !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
  if (!client.serviceAccountsEnabled) return send(res, 401, { error: 'unauthorized_client', error_description: 'Client not enabled to retrieve service account' });

  const roles = serviceAccountRoles(realm, clientId);
  const now = Math.floor(Date.now() / 1000);
  const issuer = `${origin(req)}/realms/${realmName}`;
  const s = state(ctx);
  const accessToken = await new SignJWT({
    typ: 'Bearer',
    azp: clientId,
    scope: 'profile email',
    clientId,
    email_verified: false,
    preferred_username: `service-account-${clientId}`,
    realm_access: { roles: [`default-roles-${realmName}`, 'offline_access', 'uma_authorization'] },
    resource_access: {
      ...(roles.length ? { 'realm-management': { roles } } : {}),
      account: { roles: ['manage-account', 'view-profile'] },
    },
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: s.key.kid })
    .setIssuer(issuer)
    .setAudience(roles.length ? ['realm-management', 'account'] : ['account'])
    .setSubject(saUserId(realm, clientId))
    .setJti(`trrtcc:${randomUUID()}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(s.key.privateKey);
  return send(res, 200, { access_token: accessToken, expires_in: 300, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, scope: 'profile email' });
}

/** The roles of a valid bearer token, or undefined (then the caller answers 401). */
async function bearerRoles(ctx: SimContext, req: IncomingMessage, realmName: string): Promise<string[] | undefined> {
  const auth = req.headers.authorization ?? '';
  if (!auth.toLowerCase().startsWith('bearer ')) return undefined;
  try {
    const { payload } = await jwtVerify(auth.slice(7).trim(), state(ctx).key.publicKey, { algorithms: ['RS256'] });
    if (!String(payload.iss ?? '').endsWith(`/realms/${realmName}`)) return undefined;
    const ra = payload['resource_access'] as Record<string, { roles?: string[] }> | undefined;
    return ra?.['realm-management']?.roles ?? [];
  } catch {
    return undefined;
  }
}

interface UserRep {
  id: string;
  username: string;
  email?: string;
  emailVerified: boolean;
  enabled: boolean;
  createdTimestamp: number;
  serviceAccountClientId?: string;
  groups: string[];
}

function allUsers(world: World): UserRep[] {
  const realm = world.keycloak.realm;
  const fromImport = realm.users.map((u) => ({
    id: u.serviceAccountClientId ? saUserId(realm, u.serviceAccountClientId) : stableId(`${realm.realm}/user/${u.username}`),
    username: u.username.toLowerCase(),
    ...(u.email ? { email: u.email.toLowerCase() } : {}),
    emailVerified: !!u.email,
    enabled: u.enabled ?? true,
    createdTimestamp: world.bootTime - 1_500_000,
    ...(u.serviceAccountClientId ? { serviceAccountClientId: u.serviceAccountClientId } : {}),
    groups: u.groups ?? [],
  }));
  const runtime = world.keycloak.runtimeUsers.map((u) => ({ id: u.id, username: u.username, email: u.email, emailVerified: true, enabled: true, createdTimestamp: world.bootTime, groups: u.groups }));
  return [...fromImport, ...runtime];
}

function publicUser(u: UserRep): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    ...(u.email ? { email: u.email } : {}),
    emailVerified: u.emailVerified,
    enabled: u.enabled,
    createdTimestamp: u.createdTimestamp,
    totp: false,
    disableableCredentialTypes: [],
    requiredActions: [],
    notBefore: 0,
    access: { manageGroupMembership: true, view: true, mapRoles: true, impersonate: true, manage: true },
    ...(u.serviceAccountClientId ? { serviceAccountClientId: u.serviceAccountClientId } : {}),
  };
}

const FORBIDDEN = { error: 'HTTP 403 Forbidden' };
const UNAUTHORIZED = { error: 'HTTP 401 Unauthorized' };

async function admin(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL, realmName: string, rest: string[]): Promise<number> {
  const world = ctx.world;
  const realm = world.keycloak.realm;
  const roles = await bearerRoles(ctx, req, realmName);
  if (!roles) return send(res, 401, UNAUTHORIZED);
  const any = (...need: string[]): boolean => need.some((r) => roles.includes(r));
  const method = req.method ?? 'GET';
  const q = url.searchParams;
  const [resource, id, sub, subId, ...more] = rest;

  if (resource === undefined) {
    if (method !== 'GET') return send(res, 405, { error: 'HTTP 405 Method Not Allowed' });
    if (roles.length === 0) return send(res, 403, FORBIDDEN);
    const full = any('view-realm', 'manage-realm');
    return send(res, 200, full ? { id: realm.realm, realm: realm.realm, enabled: true, sslRequired: 'external', attributes: { 'token-exchange': 'true' }, defaultGroups: ['/sovereign-viewers'] } : { id: realm.realm, realm: realm.realm });
  }

  if (resource === 'users') {
    if (id === undefined && method === 'GET') {
      if (!any('query-users', 'view-users', 'manage-users')) return send(res, 403, FORBIDDEN);
      const exact = q.get('exact') === 'true';
      const match = (value: string | undefined, want: string | null): boolean => {
        if (want === null) return true;
        if (value === undefined) return false;
        return exact ? value.toLowerCase() === want.toLowerCase() : value.toLowerCase().includes(want.toLowerCase());
      };
      const search = q.get('search')?.replace(/^\*|\*$/g, '') ?? null;
      const first = Number(q.get('first') ?? 0) || 0;
      const max = Number(q.get('max') ?? 100) || 100;
      const users = allUsers(world)
        .filter((u) => !u.serviceAccountClientId) // Keycloak hides service-account users from searches
        .filter((u) => match(u.email, q.get('email')) && match(u.username, q.get('username')))
        .filter((u) => search === null || [u.username, u.email].some((v) => v?.toLowerCase().includes(search.toLowerCase())))
        .slice(first, first + max);
      return send(res, 200, users.map(publicUser));
    }
    if (id === undefined && method === 'POST') {
      if (!any('manage-users')) return send(res, 403, FORBIDDEN);
      let rep: { username?: string; email?: string };
      try {
        rep = JSON.parse(await readBody(req)) as { username?: string; email?: string };
      } catch {
        return send(res, 400, { error: 'unknown_error' });
      }
      const username = (rep.username ?? rep.email ?? '').toLowerCase();
      const email = (rep.email ?? '').toLowerCase();
      if (!username) return send(res, 400, { field: 'username', errorMessage: 'error-user-attribute-required', params: ['username'] });
      if (allUsers(world).some((u) => u.username === username)) return send(res, 409, { errorMessage: 'User exists with same username' });
      if (email && allUsers(world).some((u) => u.email === email)) return send(res, 409, { errorMessage: 'User exists with same email' });
      const newId = randomUUID();
      world.keycloak.runtimeUsers.push({ id: newId, username, email, groups: [] });
      return send(res, 201, undefined, { location: `${origin(req)}/admin/realms/${realmName}/users/${newId}` });
    }
    const user = allUsers(world).find((u) => u.id === id);
    if (sub === undefined && method === 'GET') {
      if (!any('view-users', 'manage-users')) return send(res, 403, FORBIDDEN);
      return user ? send(res, 200, publicUser(user)) : send(res, 404, { error: 'User not found' });
    }
    if (sub === 'groups' && subId !== undefined && method === 'PUT') {
      if (!any('manage-users')) return send(res, 403, FORBIDDEN);
      if (!user) return send(res, 404, { error: 'User not found' });
      const group = realm.groups.find((g) => groupId(ctx, g.name) === subId);
      if (!group) return send(res, 404, { error: 'Group not found' });
      const rt = world.keycloak.runtimeUsers.find((u) => u.id === user.id);
      if (rt && !rt.groups.includes(group.name)) rt.groups.push(group.name);
      return send(res, 204);
    }
    if (sub === 'groups' && subId === undefined && method === 'GET') {
      if (!any('view-users', 'manage-users')) return send(res, 403, FORBIDDEN);
      if (!user) return send(res, 404, { error: 'User not found' });
      return send(res, 200, user.groups.map((g) => ({ id: groupId(ctx, g), name: g, path: `/${g}` })));
    }
    if (sub === 'role-mappings' && subId === 'clients' && more[0] && method === 'GET') {
      if (!any('view-users', 'manage-users')) return send(res, 403, FORBIDDEN);
      if (!user) return send(res, 404, { error: 'User not found' });
      const client = realm.clients.find((c) => clientUuid(realm, c.clientId) === more[0]) ?? (more[0] === clientUuid(realm, 'realm-management') ? { clientId: 'realm-management' } : undefined);
      if (!client) return send(res, 404, { error: 'Client not found' });
      const saClient = user.serviceAccountClientId;
      const granted = saClient ? serviceAccountRoles(realm, saClient, client.clientId) : [];
      const direct = saClient ? (realm.users.find((u) => u.serviceAccountClientId === saClient)?.clientRoles?.[client.clientId] ?? []) : [];
      const list = more[1] === 'composite' ? granted : direct;
      return send(res, 200, list.map((r) => ({ id: stableId(`${realm.realm}/role/${client.clientId}/${r}`), name: r, composite: !!COMPOSITES[r], clientRole: true, containerId: more[0] })));
    }
    return send(res, 404, { error: 'HTTP 404 Not Found' });
  }

  if (resource === 'groups') {
    if (id === undefined && method === 'GET') {
      if (!any('query-groups', 'view-users', 'manage-users')) return send(res, 403, FORBIDDEN);
      const search = q.get('search');
      const exact = q.get('exact') === 'true';
      const groups = realm.groups.filter((g) => search === null || (exact ? g.name === search : g.name.toLowerCase().includes(search.toLowerCase())));
      return send(res, 200, groups.map((g) => ({ id: groupId(ctx, g.name), name: g.name, path: `/${g.name}`, subGroupCount: 0, subGroups: [] })));
    }
    if (id === undefined && method === 'POST') {
      if (!any('manage-users')) return send(res, 403, FORBIDDEN);
      const rep = JSON.parse((await readBody(req)) || '{}') as { name?: string };
      if (!rep.name) return send(res, 400, { error: 'unknown_error' });
      if (realm.groups.some((g) => g.name === rep.name)) return send(res, 409, { errorMessage: `Top level group named '${rep.name}' already exists.` });
      realm.groups.push({ name: rep.name });
      return send(res, 201, undefined, { location: `${origin(req)}/admin/realms/${realmName}/groups/${groupId(ctx, rep.name)}` });
    }
    return send(res, 404, { error: 'HTTP 404 Not Found' });
  }

  if (resource === 'clients' && method === 'GET') {
    if (!any('query-clients', 'view-clients', 'manage-clients')) return send(res, 403, FORBIDDEN);
    if (id === undefined) {
      const want = q.get('clientId');
      const all = [...realm.clients, { clientId: 'realm-management', publicClient: false }];
      return send(res, 200, all.filter((c) => want === null || c.clientId === want).map((c) => ({ id: clientUuid(realm, c.clientId), clientId: c.clientId, enabled: true, publicClient: !!c.publicClient, serviceAccountsEnabled: !!('serviceAccountsEnabled' in c && c.serviceAccountsEnabled) })));
    }
    const client = realm.clients.find((c) => clientUuid(realm, c.clientId) === id);
    if (!client) return send(res, 404, { error: 'Could not find client' });
    if (sub === 'service-account-user') {
      if (!client.serviceAccountsEnabled) return send(res, 400, { error: 'Service account not enabled for the client' });
      const user = allUsers(world).find((u) => u.serviceAccountClientId === client.clientId);
      return user ? send(res, 200, publicUser(user)) : send(res, 404, { error: 'User not found' });
    }
    return send(res, 200, { id, clientId: client.clientId, enabled: true });
  }
  return send(res, 404, { error: 'HTTP 404 Not Found' });
}

async function handle(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const url = new URL(req.url ?? '/', 'http://keycloak');
  const parts = url.pathname.split('/').filter(Boolean);
  const realmName = ctx.world.keycloak.realm.realm;
  // A Keycloak still starting: Quarkus serves nothing but 503 until its start completes (issue 13).
  if (ctx.world.keycloak.starting) return send(res, 503, 'Service Unavailable');
  // Realm import not run yet: the realm is unknown, to the public and the admin API alike.
  const imported = ctx.world.keycloak.realmImported !== false;
  if (parts[0] === 'realms' && parts[1]) {
    if (parts[1] !== realmName || !imported) return send(res, 404, { error: 'Realm does not exist', error_description: 'Realm does not exist' });
    const rest = parts.slice(2).join('/');
    if (rest === 'protocol/openid-connect/token') {
      if (req.method !== 'POST') return send(res, 405, { error: 'HTTP 405 Method Not Allowed' });
      return token(ctx, req, res, realmName);
    }
    if (rest === 'protocol/openid-connect/certs') return send(res, 200, { keys: [state(ctx).key.jwk] });
    if (rest === '.well-known/openid-configuration') {
      const iss = `${origin(req)}/realms/${realmName}`;
      return send(res, 200, {
        issuer: iss,
        authorization_endpoint: `${iss}/protocol/openid-connect/auth`,
        token_endpoint: `${iss}/protocol/openid-connect/token`,
        jwks_uri: `${iss}/protocol/openid-connect/certs`,
        userinfo_endpoint: `${iss}/protocol/openid-connect/userinfo`,
        end_session_endpoint: `${iss}/protocol/openid-connect/logout`,
        grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        response_types_supported: ['code'],
        subject_types_supported: ['public', 'pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt'],
        code_challenge_methods_supported: ['plain', 'S256'],
      });
    }
    if (rest === '') return send(res, 200, { realm: realmName, public_key: state(ctx).key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), 'token-service': `${origin(req)}/realms/${realmName}/protocol/openid-connect`, 'account-service': `${origin(req)}/realms/${realmName}/account`, 'tokens-not-before': 0 });
    return send(res, 404, { error: 'Unable to find matching target resource method', error_description: 'For more on this error consult the server log.' });
  }
  if (parts[0] === 'admin' && parts[1] === 'realms' && parts[2]) {
    if (parts[2] !== realmName || !imported) {
      return (await bearerRoles(ctx, req, realmName)) ? send(res, 404, { error: 'Realm not found.' }) : send(res, 401, UNAUTHORIZED);
    }
    return admin(ctx, req, res, url, realmName, parts.slice(3));
  }
  if (url.pathname === '/' || url.pathname === '') return send(res, 302, undefined, { location: '/admin/' });
  if (url.pathname.startsWith('/health')) return send(res, 200, { status: 'UP', checks: [] });
  return send(res, 404, { error: 'Unable to find matching target resource method', error_description: 'For more on this error consult the server log.' });
}

/** Handles a Keycloak request (plain HTTP inside the cluster, or auth.<fqdn> through the gateway). */
export function keycloakHandler(ctx: SimContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).then(
      (status) => logRequest(ctx, 'keycloak', req.method ?? 'GET', req.url ?? '/', status),
      () => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'unknown_error' }));
        logRequest(ctx, 'keycloak', req.method ?? 'GET', req.url ?? '/', 500);
      },
    );
  };
}

/** Starts Keycloak's in-cluster Service (`keycloak.keycloak.svc:80`) as plain HTTP on loopback. */
export async function startKeycloak(ctx: SimContext): Promise<RunningServer> {
  const server = createServer(keycloakHandler(ctx));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

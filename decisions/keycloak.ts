/**
 * How `keycloak.sa-roles` decides (issue 5; incident 2, otech62), from what clients/keycloak.ts reads:
 * whether Keycloak serves the realm (issue 13: starting and not-yet-imported are converging), the
 * realm-management roles the `catalyst-api-server` service account holds (from its token, the admin
 * API, or the realm import alone under least privilege, issue 12), the exact user lookup handover's
 * EnsureUser makes, and whether catalyst-api can reach Keycloak from its Pod (CATALYST_KC_ADDR).
 * The same assessment explains a handover `keycloak error: ensure user` (decisions/handover.ts).
 *
 * @module
 */
import { converge } from '../clients/poll.js';
import { formatDuration } from '../clients/config.js';
import type { CauseId } from '../report/causes.js';
import { NetworkError } from '../report/errors.js';
import { KeycloakClient, type SaCredentials, type SecretLook } from '../clients/keycloak.js';
import { registerSecret } from '../report/redact.js';

/** What Keycloak's public realm endpoint says about the realm, classified (issue 13). */
export interface RealmState {
  /** `ready`: the realm answers; `starting`: Keycloak is not serving yet; `no-realm`: not (yet) imported. */
  state: 'ready' | 'starting' | 'no-realm' | 'other';
  seen: string;
}

/**
 * Classifies one answer of `GET {auth}/realms/{realm}` (public, no credentials). Keycloak starting
 * answers 503 (or the gateway has no ready upstream: 502/503/504); a realm not yet
 * imported answers 404 `{"error":"Realm does not exist"}` (Keycloak's RealmsResource). Both converge
 * on a new Sovereign (bp-keycloak, then its realm import); neither is terminal within SMOKE_AWAIT.
 */
export function classifyRealmAnswer(status: number | undefined, body: string, error?: string): RealmState {
  // No HTTP answer at all is the edge (DNS, load balancer, TLS), not Keycloak starting: envoy answers
  // 503 for an upstream that is not ready. The caller's own request then names the edge's cause.
  if (status === undefined) return { state: 'other', seen: `no answer (${error ?? 'connection failed'})` };
  if (status === 200) return { state: 'ready', seen: '200' };
  if (status === 502 || status === 503 || status === 504) return { state: 'starting', seen: `${status} ${shortBody(body)}` };
  if (status === 404 && /realm does not exist/i.test(body)) return { state: 'no-realm', seen: '404 "Realm does not exist"' };
  return { state: 'other', seen: `${status} ${shortBody(body)}` };
}

/** realm-management composites that contain the roles EnsureUser needs (Keycloak's built-in roles). */
const RM_COMPOSITES: Record<string, string[]> = {
  'realm-admin': ['impersonation', 'manage-users', 'view-users', 'query-users', 'query-groups', 'manage-realm', 'view-realm', 'manage-clients', 'view-clients', 'query-clients'],
  'view-users': ['query-users', 'query-groups'],
};

/**
 * Decides `keycloak.sa-roles` from the realm import alone (reduced evidence): the `users` entry of
 * `service-account-<clientId>` must carry clientRoles.realm-management with the four roles (or a
 * composite holding them). Grants only in clientScopeMappings give the user nothing (incident 2).
 * Every client `secret` in the JSON is registered for redaction before anything is reported.
 */
export function saRolesFromRealmImport(text: string, clientId: string, where: string): SaAssessment {
  let realm: { users?: { username?: string; serviceAccountClientId?: string; clientRoles?: Record<string, string[]> }[]; clients?: { clientId?: string; secret?: string; serviceAccountsEnabled?: boolean }[]; clientScopeMappings?: unknown };
  try {
    realm = JSON.parse(text) as typeof realm;
  } catch {
    return { ok: false, causeId: 'keycloak-sa-roles', message: `${where}: sovereign-realm.json does not parse as JSON` };
  }
  for (const c of realm.clients ?? []) if (c.secret) registerSecret(c.secret, 'keycloak client secret');
  const client = (realm.clients ?? []).find((c) => c.clientId === clientId);
  if (!client) return { ok: false, causeId: 'keycloak-sa-roles', message: `${where}: the realm import has no client ${clientId}` };
  if (client.serviceAccountsEnabled === false) return { ok: false, causeId: 'keycloak-sa-roles', message: `${where}: client ${clientId} has serviceAccountsEnabled false` };
  const user = (realm.users ?? []).find((u) => u.serviceAccountClientId === clientId || u.username === `service-account-${clientId}`);
  const direct = user?.clientRoles?.['realm-management'] ?? [];
  const held = new Set(direct.flatMap((r) => [r, ...(RM_COMPOSITES[r] ?? [])]));
  const missingRoles = REQUIRED_SA_ROLES.filter((r) => !held.has(r));
  if (missingRoles.length === 0) return { ok: true, message: `${where}: users[service-account-${clientId}].clientRoles.realm-management holds ${REQUIRED_SA_ROLES.join(', ')}`, roles: [...held].sort(), missingRoles: [] };
  const scopeOnly = !user && JSON.stringify(realm.clientScopeMappings ?? {}).includes(clientId);
  return {
    ok: false,
    causeId: 'keycloak-sa-roles',
    message: `${where}: the service-account user service-account-${clientId} ${user ? `holds realm-management ${direct.join(', ') || 'nothing'}` : 'has no users entry'}; missing ${missingRoles.join(', ')}${scopeOnly ? ' (the roles are granted only in clientScopeMappings, which gives the user nothing: incident 2)' : ''}. Handover fails with 401 "keycloak error: ensure user" until the realm import lists them under users[].clientRoles`,
    roles: [...held].sort(),
    missingRoles,
  };
}

/** The roles handover's EnsureUser needs (contract §3; the realm import grants four more). */
export const REQUIRED_SA_ROLES = ['impersonation', 'manage-users', 'view-users', 'query-users'] as const;

/** What `keycloak.sa-roles` found, step by step; `causeId` is set when something is wrong. */
export interface SaAssessment {
  ok: boolean;
  causeId?: CauseId;
  /** Skipped rather than failed (no credentials available). */
  skipped?: boolean;
  message: string;
  roles?: string[];
  missingRoles?: string[];
  lookupStatus?: number;
}

function shortBody(body: string): string {
  const t = body.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 160)}…` : t;
}

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** catalyst-api's in-code default for an unset CATALYST_KC_ADDR. */
export const KC_ADDR_DEFAULT = 'http://keycloak.keycloak.svc.cluster.local:8080';

/**
 * Why catalyst-api, inside its Pod, is unlikely to reach Keycloak at `addr` (CATALYST_KC_ADDR), or
 * undefined when it is the in-cluster Service. The Keycloak Service listens on port 80 (the in-code
 * default :8080 does not answer); a name outside the cluster must resolve and route from the Pod,
 * which it did not on otech94 (auth.<fqdn>).
 */
export function kcAddrProblem(addr: string | undefined, fqdn?: string): string | undefined {
  const value = addr?.trim() || KC_ADDR_DEFAULT;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `"${value}" is not a URL`;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return `"${value}" is not an http(s) URL`;
  const host = u.hostname.replace(/\.$/, '');
  // `service.namespace` is an in-cluster name too, unless it is the Sovereign's own name or its zone's.
  const zone = fqdn?.toLowerCase().split('.').slice(1).join('.');
  const ours = !!fqdn && (host === fqdn.toLowerCase() || host.endsWith(`.${fqdn.toLowerCase()}`) || (!!zone && zone.includes('.') && (host === zone || host.endsWith(`.${zone}`))));
  const inCluster = !host.includes('.') || /\.svc(\.cluster\.local)?$/.test(host) || (/^[a-z0-9-]+\.[a-z0-9-]+$/.test(host) && !ours);
  const unset = !addr?.trim() ? `unset, so catalyst-api uses its default ${KC_ADDR_DEFAULT}; ` : '';
  if (!inCluster) return `${unset}${host} is a name outside the cluster, which must resolve and route from inside the Pod (on otech94 auth.<fqdn> did not)`;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  if (/^keycloak(\.keycloak)?(\.svc(\.cluster\.local)?)?$/.test(host) && port !== '80') return `${unset}port ${port}: the Keycloak Service listens on port 80`;
  return undefined;
}

/**
 * Keycloak probes with the service-account credentials. One per worker.
 *
 * @example
 * const verdict = await keycloak.assessServiceAccount();
 * if (!verdict.ok) fail(verdict.causeId, verdict.message);
 */
export class KeycloakProbe extends KeycloakClient {
  /** One look at the realm's public endpoint. */
  async realmState(): Promise<RealmState> {
    const r = await this.realmAnswer();
    return r instanceof NetworkError ? classifyRealmAnswer(undefined, '', `${r.code}: ${r.message}`) : classifyRealmAnswer(r.status, r.body);
  }

  /**
   * Waits, within SMOKE_AWAIT from the start of the run, for Keycloak to serve the realm (issue 13:
   * Keycloak starting, realm not yet imported). Returns undefined when it does, else the failure
   * (cause and message naming the realm and since when it was seen missing).
   */
  async awaitRealm(): Promise<{ cause: CauseId; message: string } | undefined> {
    const realm = this.config.keycloakRealm;
    const where = `${this.realmUrl}/realms/${realm}`;
    let since: number | undefined;
    const r = await converge(this.config, `Keycloak realm ${realm} at ${where}`, async () => {
      const st = await this.realmState();
      if (st.state !== 'ready') since ??= Date.now();
      // An answer that is neither of the converging ones is left to the caller's own request.
      return { done: st.state === 'ready' || st.state === 'other', seen: st.seen, value: st };
    });
    if (r.outcome === 'done') return undefined;
    const st = r.last.value;
    const from = since ? ` since ${new Date(since).toISOString()}` : '';
    const waited = `waited ${formatDuration(r.elapsedMs)} (SMOKE_AWAIT ${formatDuration(this.config.awaitMs)}, counted from the start of the run)`;
    if (st.state === 'no-realm') return { cause: 'keycloak-realm-missing', message: `realm ${realm} does not exist in Keycloak: GET ${where} answered ${st.seen}${from}; ${waited}` };
    return { cause: 'keycloak-not-ready', message: `Keycloak at ${this.realmUrl} was not serving realm ${realm}: GET ${where} answered ${st.seen}${from}; ${waited}` };
  }

  /**
   * Waits, within SMOKE_AWAIT, for Secret catalyst-kc-sa-credentials in namespace keycloak and its
   * Reflector mirror in the catalyst namespace (issue 13: the mirror lags the source on a new
   * Sovereign). A Secret we may read that is still absent when the budget runs out is a finding
   * (catalyst-api gets CATALYST_KC_* from the mirror); one we may not read is left to the caller.
   */
  async awaitSecrets(): Promise<{ looks: SecretLook[]; absent?: string }> {
    const r = await converge(this.config, 'Secret catalyst-kc-sa-credentials in keycloak and its mirror', async () => {
      const looks = await this.lookSecrets();
      const absent = looks.filter((l) => l.state === 'absent');
      return { done: absent.length === 0, seen: looks.map((l) => `${l.ns}: ${l.state}`).join(', '), value: looks };
    });
    const absent = r.last.value.filter((l) => l.state === 'absent');
    if (r.outcome === 'done' || absent.length === 0) return { looks: r.last.value };
    return { looks: r.last.value, absent: `${absent.map((l) => `Secret ${l.ns}/catalyst-kc-sa-credentials`).join(' and ')} still did not exist after ${formatDuration(r.elapsedMs)} (SMOKE_AWAIT ${formatDuration(this.config.awaitMs)}); catalyst-api reads CATALYST_KC_SA_CLIENT_SECRET from the ${this.config.catalystNamespace} mirror (Reflector) at Pod start` };
  }

  /**
   * `keycloak.sa-roles` with no service-account secret to use (no SMOKE_KC_SA_*, Secrets forbidden):
   * the roles the realm import declares for the service-account user (ConfigMap
   * keycloak/keycloak-sovereign-realm-config, key sovereign-realm.json; platform/keycloak/chart/
   * templates/configmap-sovereign-realm.yaml renders the client secret into it too, so it is
   * registered for redaction), with Keycloak serving the realm. The token and the live lookup are not
   * exercised; handover.login exercises EnsureUser itself.
   */
  async assessFromRealmImport(): Promise<SaAssessment> {
    const name = 'ConfigMap keycloak/keycloak-sovereign-realm-config';
    let cm: { data?: Record<string, string> } | undefined;
    try {
      cm = await this.kube.get<{ data?: Record<string, string> }>('v1', 'ConfigMap', 'keycloak', 'keycloak-sovereign-realm-config');
    } catch (err) {
      return { ok: false, skipped: true, causeId: 'sa-credentials-missing', message: `no service-account secret may be read and ${name} cannot be read either (${err instanceof Error ? err.message : String(err)}): the roles cannot be decided` };
    }
    if (!cm) return { ok: false, causeId: 'keycloak-sa-roles', message: `${name} does not exist: the realm import that grants catalyst-api-server its realm-management roles is missing` };
    const text = cm.data?.['sovereign-realm.json'];
    if (!text) return { ok: false, causeId: 'keycloak-sa-roles', message: `${name} has no key sovereign-realm.json` };
    return saRolesFromRealmImport(text, this.config.kcSaClientId ?? 'catalyst-api-server', name);
  }

  /**
   * The whole `keycloak.sa-roles` assessment: token, roles, the user lookup handover makes. Never
   * throws for what it finds; the caller fails or skips with the verdict.
   */
  async assessServiceAccount(given?: SaCredentials | { missing: string }): Promise<SaAssessment> {
    const creds = given ?? (await this.credentials());
    if ('missing' in creds) return { ok: false, skipped: true, causeId: 'sa-credentials-missing', message: creds.missing };
    const realm = this.config.keycloakRealm;
    const who = `service account ${creds.clientId} (credentials from ${creds.source}) in realm ${realm} at ${this.realmUrl}`;

    // 1. client-credentials token (client_secret_post, as catalyst-api sends it).
    const tokenUrl = `${this.realmUrl}/realms/${encodeURIComponent(realm)}/protocol/openid-connect/token`;
    const t = await this.call(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret }).toString(),
    });
    if (t instanceof NetworkError) {
      return { ok: false, causeId: 'keycloak-unreachable', message: `${who}: POST ${tokenUrl} failed (${t.code}): ${t.message}; expected 200 with an access token` };
    }
    let body: { access_token?: string; error?: string; error_description?: string } = {};
    try {
      body = JSON.parse(t.body) as typeof body;
    } catch {
      // not JSON: reported below
    }
    const accessToken = registerSecret(body.access_token, 'keycloak access token');
    if (t.status !== 200 || !accessToken) {
      const seen = `${t.status} ${body.error ? `${body.error}${body.error_description ? ` "${body.error_description}"` : ''}` : shortBody(t.body)}`;
      if (t.status === 401 || body.error === 'unauthorized_client' || body.error === 'invalid_client') {
        const notEnabled = /not enabled to retrieve service account/i.test(body.error_description ?? '');
        return {
          ok: false,
          causeId: notEnabled ? 'keycloak-sa-roles' : 'keycloak-sa-credentials-rejected',
          message: `${who}: the token endpoint refused the client credentials: expected 200, got ${seen}${notEnabled ? '; the client has serviceAccountsEnabled off' : '; the Secret\'s client-secret differs from the realm\'s client secret'}`,
        };
      }
      if (t.status === 404) return { ok: false, causeId: 'keycloak-unreachable', message: `${who}: POST ${tokenUrl}: expected 200, got ${seen} (realm ${realm} missing, or another service answers at ${this.realmUrl})` };
      return { ok: false, causeId: 'keycloak-unreachable', message: `${who}: POST ${tokenUrl}: expected 200 with an access token, got ${seen}` };
    }

    // 2. realm-management roles: from the token, else from the admin API.
    const auth = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
    const claims = decodeJwtPayload(accessToken);
    let roles: string[] | undefined;
    let rolesFrom = 'the access token\'s resource_access';
    if (claims && 'resource_access' in claims) {
      const ra = claims['resource_access'] as Record<string, { roles?: string[] }> | undefined;
      roles = ra?.['realm-management']?.roles ?? [];
    } else {
      roles = await this.rolesFromAdminApi(creds.clientId, auth);
      rolesFrom = 'the admin API (the token carries no resource_access)';
    }
    const missingRoles = roles ? REQUIRED_SA_ROLES.filter((r) => !roles.includes(r)) : [...REQUIRED_SA_ROLES];

    // 3. the exact lookup EnsureUser makes.
    // Read-only: any address shows whether the lookup is allowed; one that can receive no mail by default.
    const lookupPath = `/admin/realms/${encodeURIComponent(realm)}/users?email=${encodeURIComponent(this.config.handoverEmail ?? 'nobody@smoke.invalid')}&exact=true`;
    const l = await this.call(`${this.realmUrl}${lookupPath}`, { headers: auth });
    if (l instanceof NetworkError) return { ok: false, causeId: 'keycloak-unreachable', message: `${who}: GET ${lookupPath} failed (${l.code}): ${l.message}`, roles, missingRoles };

    const problems: string[] = [];
    if (roles === undefined) problems.push(`realm-management roles: could not be read (${rolesFrom} refused); expected ${REQUIRED_SA_ROLES.join(', ')}`);
    else if (missingRoles.length) problems.push(`realm-management roles (from ${rolesFrom}): missing ${missingRoles.join(', ')}; holds ${roles.length ? roles.join(', ') : 'none'}`);
    if (l.status !== 200) {
      const hint =
        l.status === 403
          ? ': the service-account user holds no user-level realm-management roles. Roles granted only through clientScopeMappings do not reach the service-account user; the fix is a `users` entry for service-account-' +
            `${creds.clientId} with clientRoles.realm-management [${REQUIRED_SA_ROLES.join(', ')}] in the realm import (ConfigMap keycloak/keycloak-sovereign-realm-config). Handover fails with 401 "keycloak error: ensure user" until then`
          : '';
      problems.push(`GET ${lookupPath} (the lookup handover makes): expected 200, got ${l.status} ${shortBody(l.body)}${hint}`);
    }
    if (problems.length === 0) return { ok: true, message: `${who}: roles ${REQUIRED_SA_ROLES.join(', ')} present; user lookup 200`, roles, missingRoles, lookupStatus: l.status };
    const cause: CauseId = l.status === 403 || missingRoles.length > 0 || roles === undefined ? 'keycloak-sa-roles' : 'keycloak-unreachable';
    return { ok: false, causeId: cause, message: `${who}:\n  - ${problems.join('\n  - ')}`, roles, missingRoles, lookupStatus: l.status };
  }
}

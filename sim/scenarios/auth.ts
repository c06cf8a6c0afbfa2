/**
 * Faults of Keycloak and the handover login. Each is a real failure mode; `expect` lists every
 * check of the whole suite that fails with it, and the root cause they all name.
 *
 * @module
 */
import { findObject } from '../kube-objects.js';
import type { KubeObject, World } from '../world.js';
import type { Scenario } from './types.js';

/** Keeps the realm-import ConfigMap in step with the realm model (what `kubectl get cm` shows). */
function syncRealmConfigMap(world: World): void {
  const cm = findObject(world, 'ConfigMap', 'keycloak', 'keycloak-sovereign-realm-config') as (KubeObject & { data?: Record<string, string> }) | undefined;
  if (cm) cm.data = { ...(cm.data ?? {}), 'sovereign-realm.json': JSON.stringify(world.keycloak.realm, null, 2) };
}

export const AUTH_SCENARIOS: Scenario[] = [
  {
    name: 'sa-roles-scope-mappings',
    description:
      'Incident 2 (otech62): the realm import grants realm-management roles to catalyst-api-server only through clientScopeMappings, so the service-account user holds none; the user lookup answers 403 and every handover fails with 401 "keycloak error: ensure user".',
    apply: (world) => {
      const realm = world.keycloak.realm;
      const sa = realm.users.find((u) => u.serviceAccountClientId === 'catalyst-api-server');
      const roles = sa?.clientRoles?.['realm-management'] ?? [];
      realm.users = realm.users.filter((u) => u !== sa);
      realm.clientScopeMappings = { 'realm-management': [{ client: 'catalyst-api-server', roles: roles.slice(0, 4) }] };
      syncRealmConfigMap(world);
    },
    expect: { failing: ['handover.login', 'keycloak.sa-roles'], cause: 'keycloak-sa-roles' },
  },
  {
    name: 'sa-secret-mismatch',
    description:
      'Secret catalyst-kc-sa-credentials (and its catalyst-system mirror) holds a client secret the realm does not: Keycloak answers 401 to the service account, and every handover fails with "keycloak error: ensure user".',
    apply: (world) => {
      const client = world.keycloak.realm.clients.find((c) => c.clientId === 'catalyst-api-server');
      if (client) client.secret = `kcsa-rotated-${client.secret ?? ''}`.slice(0, 40);
      syncRealmConfigMap(world);
    },
    expect: { failing: ['handover.login', 'keycloak.sa-roles'], cause: 'keycloak-sa-credentials-rejected' },
  },
  {
    name: 'keycloak-addr-public',
    description:
      'otech94: catalyst-kc-sa-credentials gives CATALYST_KC_ADDR as the public https://auth.<fqdn>, which does not resolve inside the Pod. Keycloak works from outside (keycloak.sa-roles passes), yet every handover fails with 401 "keycloak error: ensure user".',
    apply: (world) => {
      for (const ns of ['keycloak', 'catalyst-system']) {
        const s = findObject(world, 'Secret', ns, 'catalyst-kc-sa-credentials') as (KubeObject & { data?: Record<string, string> }) | undefined;
        if (s?.data) s.data['addr'] = Buffer.from(`https://auth.${world.fqdn}`).toString('base64');
      }
    },
    expect: { failing: ['handover.login'], cause: 'keycloak-unreachable-from-pod' },
  },
  {
    name: 'replay-accepted',
    description: 'The jti store is not consulted (replay protection broken): the same handover token signs in twice.',
    apply: (world) => {
      world.catalyst.replayProtection = false;
    },
    expect: { failing: ['handover.replay-rejected'], cause: 'replay-accepted' },
  },
  {
    name: 'forged-accepted',
    description: 'catalyst-api does not check the audience: a token minted for another Sovereign signs in here.',
    apply: (world) => {
      world.catalyst.acceptAnyAudience = true;
    },
    expect: { failing: ['handover.forged-rejected'], cause: 'forged-accepted' },
  },
  {
    name: 'cookie-insecure',
    description: 'The session cookie is set without Secure (catalyst-api does not see X-Forwarded-Proto: https behind the gateway).',
    apply: (world) => {
      world.catalyst.cookie.secure = false;
    },
    expect: { failing: ['handover.login'], cause: 'session-cookie-insecure' },
  },
  {
    name: 'cookie-samesite-missing',
    description: 'catalyst-api sets catalyst_session without a SameSite attribute (Go\'s http.Cookie with SameSite left at its zero value). Chromium then treats it as Lax, so the browser\'s cookie list looks right; the Set-Cookie header does not.',
    apply: (world) => {
      world.catalyst.cookie.sameSite = '';
    },
    expect: { failing: ['handover.login'], cause: 'session-cookie-insecure' },
  },
  {
    name: 'session-cookie-fqdn-domain',
    description: 'A June-or-later catalyst-api (#3374) sets catalyst_session with Domain=.<fqdn> (CATALYST_SESSION_COOKIE_DOMAIN): a shipped form, so everything passes with SMOKE_SESSION_COOKIE_DOMAIN unset.',
    apply: (world) => {
      world.catalyst.cookie.domain = world.fqdn;
    },
    expect: { failing: [] },
  },
  {
    name: 'session-cookie-parent-domain',
    description: 'CATALYST_SESSION_COOKIE_DOMAIN is set to the parent zone instead of the FQDN: catalyst_session goes to every Sovereign under that zone, so one Sovereign\'s session reaches the others.',
    apply: (world) => {
      world.catalyst.cookie.domain = world.fqdn.split('.').slice(1).join('.');
    },
    expect: { failing: ['handover.login'], cause: 'session-cookie-insecure' },
  },
  {
    name: 'login-redirects-to-login',
    description: 'Handover answers 302 /dashboard with a cookie, but whoami refuses the session, so the UI falls back to the login page.',
    apply: (world) => {
      world.catalyst.sessionBroken = true;
    },
    expect: { failing: ['handover.login'], cause: 'session-not-established' },
  },
  {
    name: 'whoami-open',
    description: '/api/v1/whoami answers 200 without a session (CATALYST_SOVEREIGN_SILENT_OWNER on, or the auth middleware in passthrough).',
    apply: (world) => {
      world.catalyst.whoamiWithoutSession = true;
    },
    expect: { failing: ['handover.session-required'], cause: 'session-not-required' },
  },
  {
    name: 'issuer-mismatch',
    description:
      'A cut-over Sovereign running a #5681 catalyst-api build, which compares the token\'s iss with CATALYST_HANDOVER_JWT_ISSUER alone: it refuses the mothership\'s issuer, so the mothership\'s own handover is 401 "invalid issuer" (fixed by the accepted-issuer set of #5614).',
    apply: (world) => {
      world.catalyst.expectedIssuer = 'https://console.openova.io/sovereign';
    },
    expect: { failing: ['handover.forged-rejected', 'handover.login', 'handover.replay-rejected'], cause: 'handover-issuer' },
  },
  {
    name: 'issuer-cutover',
    description:
      'A cut-over Sovereign with CATALYST_HANDOVER_JWT_ISSUER set to its own console: a later catalyst-api accepts the set {its own issuer, the mothership\'s} (auth_handover_issuer_set_test.go, #5614), so the mothership\'s handover still signs in. Everything passes.',
    apply: (world) => {
      world.catalyst.configuredIssuer = `https://console.${world.fqdn}`;
    },
    expect: { failing: [] },
  },
  {
    name: 'owner-not-findable',
    description:
      'An early Sovereign whose ConfigMap catalyst-system/sovereign-fqdn has no orgEmail (the chart value sovereign.orgEmail was never set): the suite will not sign in under an invented identity, so the checks that need a valid login are skipped naming the missing key.',
    apply: (world) => {
      const cm = findObject(world, 'ConfigMap', 'catalyst-system', 'sovereign-fqdn') as (KubeObject & { data?: Record<string, string> }) | undefined;
      if (cm?.data) delete cm.data['orgEmail'];
    },
    expect: { failing: [], skipped: ['handover.login', 'handover.replay-rejected'] },
  },
  {
    name: 'keycloak-starting',
    description:
      'A Sovereign seconds after provisioning: Keycloak answers 503 while it starts, then 404 "Realm does not exist" until the realm import has run, then the realm. keycloak.sa-roles and handover.login wait within SMOKE_AWAIT and pass.',
    apply: (world) => {
      world.keycloak.starting = true;
      world.keycloak.realmImported = false;
      world.timeline.push(
        { afterMs: 5_000, describe: 'Keycloak has started', apply: (w) => void (w.keycloak.starting = false) },
        { afterMs: 7_000, describe: 'the realm import has run', apply: (w) => void (w.keycloak.realmImported = true) },
      );
    },
    expect: { failing: [] },
  },
  {
    name: 'keycloak-realm-never-imported',
    description:
      'Keycloak runs, but the realm import never ran (the keycloak-config-cli Job failed): every realm request is 404 "Realm does not exist". keycloak.sa-roles and handover.login fail at SMOKE_AWAIT naming the realm and since when; the replay and forged checks, decided before Keycloak is called, still pass.',
    apply: (world) => {
      world.keycloak.realmImported = false;
    },
    expect: { failing: ['handover.login', 'keycloak.sa-roles'], cause: 'keycloak-realm-missing', env: { SMOKE_AWAIT: '6s' } },
  },
  {
    name: 'sa-secret-not-mirrored',
    description:
      'Reflector never mirrored Secret keycloak/catalyst-kc-sa-credentials into catalyst-system: catalyst-api started without CATALYST_KC_SA_CLIENT_SECRET (its optional secretKeyRef resolved to nothing), so every handover is 401 "server misconfiguration: keycloak not configured". keycloak.sa-roles waits for the mirror within SMOKE_AWAIT and then names it.',
    apply: (world) => {
      world.kube.objects = world.kube.objects.filter((o) => !(o.kind === 'Secret' && o.metadata.namespace === 'catalyst-system' && o.metadata.name === 'catalyst-kc-sa-credentials'));
    },
    expect: { failing: ['handover.login', 'keycloak.sa-roles'], cause: 'sa-secret-missing', env: { SMOKE_AWAIT: '6s' } },
  },
];

/** The Secret value the sa-secret-mismatch scenario leaves in place (exported for self-tests). */
export function saSecretFromObjects(world: World): string | undefined {
  const s = findObject(world, 'Secret', 'keycloak', 'catalyst-kc-sa-credentials') as (KubeObject & { data?: Record<string, string> }) | undefined;
  const v = s?.data?.['client-secret'];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/**
 * The auth rules, without a browser or the simulator: where catalyst-api dials Keycloak from its Pod
 * (kcAddrProblem), who the login signs in as (decideOwner, overrideFootprint), whoami held to what
 * the Sovereign decides (judgeWhoami), and Keycloak converging and the realm import (issues 12, 13).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyRealmAnswer, kcAddrProblem, saRolesFromRealmImport } from '../decisions/keycloak.js';
import { decideOwner, judgeWhoami, overrideFootprint, ownerUserAccessName, type OwnerIdentity } from '../decisions/handover-owner.js';
import { redact } from '../report/redact.js';

void describe('where catalyst-api dials Keycloak from its Pod (CATALYST_KC_ADDR)', () => {
  void it('accepts the in-cluster Service on port 80 in its spellings', () => {
    for (const a of ['http://keycloak.keycloak.svc.cluster.local', 'http://keycloak.keycloak.svc', 'http://keycloak.keycloak', 'http://keycloak', 'http://kc.identity.svc.cluster.local:8443']) {
      assert.equal(kcAddrProblem(a), undefined, a);
    }
  });

  void it('names a public name (otech94), the unanswered :8080 default, and a value that is not a URL', () => {
    assert.match(kcAddrProblem('https://auth.otech94.omani.works') ?? '', /auth\.otech94\.omani\.works is a name outside the cluster/);
    // Two labels: a Service in a namespace, unless it is the Sovereign's own name (omantel.biz) or zone.
    assert.equal(kcAddrProblem('http://keycloak.keycloak', 'omantel.biz'), undefined);
    assert.match(kcAddrProblem('https://omantel.biz', 'omantel.biz') ?? '', /omantel\.biz is a name outside the cluster/);
    assert.match(kcAddrProblem('https://omani.works/auth', 'otech94.omani.works') ?? '', /omani\.works is a name outside the cluster/);
    assert.match(kcAddrProblem(undefined) ?? '', /^unset, so catalyst-api uses its default http:\/\/keycloak\.keycloak\.svc\.cluster\.local:8080; port 8080: the Keycloak Service listens on port 80/);
    assert.match(kcAddrProblem('http://keycloak.keycloak.svc.cluster.local:8080') ?? '', /port 8080/);
    assert.match(kcAddrProblem('keycloak:80') ?? '', /is not an http\(s\) URL/);
  });
});

/** ConfigMap catalyst-system/sovereign-fqdn data as the chart renders it (8d01e2f): every key quoted, "" defaults. */
const CM = { fqdn: 'otech64.omani.works', lbIP: '49.12.16.160', selfDeploymentId: 'ab2135d4cf2d01e4', orgEmail: 'owner@omani.works', orgName: 'Omani Works', controlPlaneIP: '', gitopsRepoURL: '', bcpTopology: '' };

void describe('who the login signs in as (decideOwner)', () => {
  void it('by default the owner: orgEmail and selfDeploymentId of the ConfigMap, /sovereign/self not needed', () => {
    const o = decideOwner({}, { kind: 'data', data: CM }, { kind: 'not-asked' });
    assert.ok(o.ok);
    assert.deepEqual([o.email, o.deploymentId, o.emailSource, o.deploymentIdSource], ['owner@omani.works', 'ab2135d4cf2d01e4', 'ConfigMap catalyst-system/sovereign-fqdn key orgEmail', 'ConfigMap catalyst-system/sovereign-fqdn key selfDeploymentId']);
    assert.deepEqual(overrideFootprint(o, 'sovereign'), [], 'the owner\'s own login creates nothing');
  });

  void it('the id from GET /api/v1/sovereign/self when the ConfigMap has none (the chart default "")', () => {
    const o = decideOwner({}, { kind: 'data', data: { ...CM, selfDeploymentId: '' } }, { kind: 'id', deploymentId: 'sovereign-otech64.omani.works', fqdn: 'otech64.omani.works' });
    assert.ok(o.ok);
    assert.deepEqual([o.deploymentId, o.deploymentIdSource], ['sovereign-otech64.omani.works', 'GET /api/v1/sovereign/self']);
  });

  void it('overrides win, and their footprint is named: Keycloak user, UserAccess, deployment record', () => {
    const o = decideOwner({ email: 'ops@example.org', deploymentId: 'ffffffffffffffff' }, { kind: 'data', data: CM }, { kind: 'not-asked' });
    assert.ok(o.ok);
    const fp = overrideFootprint(o, 'sovereign');
    assert.equal(fp.length, 3);
    assert.match(fp[0] ?? '', /SMOKE_HANDOVER_EMAIL ops@example\.org \(not the owner owner@omani\.works\): Keycloak user ops@example\.org in realm sovereign, group sovereign-admins/);
    assert.match(fp[1] ?? '', /UserAccess catalyst-system\/useraccess-owner-ops-at-example-org \(tier owner/);
    assert.match(fp[2] ?? '', /SMOKE_HANDOVER_DEPLOYMENT_ID ffffffffffffffff \(the Sovereign's own id is ab2135d4cf2d01e4\): catalyst-api may store a deployment record/);
    // The owner's own address given as an override (any case) is still the owner.
    const same = decideOwner({ email: 'Owner@Omani.Works' }, { kind: 'data', data: CM }, { kind: 'not-asked' });
    assert.ok(same.ok);
    assert.deepEqual(overrideFootprint(same, 'sovereign'), []);
  });

  void it('no orgEmail: skipped naming the key, never an invented identity', () => {
    const { orgEmail: _drop, ...noEmail } = CM;
    void _drop;
    const o = decideOwner({}, { kind: 'data', data: noEmail }, { kind: 'not-asked' });
    assert.ok(!o.ok);
    assert.equal(o.verdict, 'skip');
    assert.equal(o.cause, 'owner-unknown');
    assert.match(o.missing, /has no orgEmail/);
  });

  void it('forbidden to read the ConfigMap: skip (not allowed to look); absent while readable: fail (a finding)', () => {
    const forbidden = decideOwner({}, { kind: 'forbidden', why: '403 configmaps "sovereign-fqdn" is forbidden' }, { kind: 'id', deploymentId: 'ab2135d4cf2d01e4', fqdn: 'otech64.omani.works' });
    assert.ok(!forbidden.ok);
    assert.deepEqual([forbidden.verdict, forbidden.cause], ['skip', 'owner-unknown']);
    assert.match(forbidden.missing, /may not be read/);
    const absent = decideOwner({}, { kind: 'absent' }, { kind: 'none', why: '404 not-a-sovereign' });
    assert.ok(!absent.ok);
    assert.deepEqual([absent.verdict, absent.cause], ['fail', 'sovereign-fqdn']);
    assert.match(absent.missing, /does not exist.*404 not-a-sovereign/);
    // With the email override, a forbidden ConfigMap still needs the id: /sovereign/self gives it.
    const withOverride = decideOwner({ email: 'owner@omani.works' }, { kind: 'forbidden', why: '403' }, { kind: 'id', deploymentId: 'ab2135d4cf2d01e4', fqdn: 'otech64.omani.works' });
    assert.ok(withOverride.ok);
    const notStamped = decideOwner({ email: 'owner@omani.works' }, { kind: 'forbidden', why: '403' }, { kind: 'none', why: '503 deployment-id-not-yet-stamped' });
    assert.ok(!notStamped.ok);
    assert.match(notStamped.missing, /deployment-id-not-yet-stamped.*SMOKE_HANDOVER_DEPLOYMENT_ID/);
  });

  void it('UserAccess names as user_access_owner_seed.go builds them (63 characters, no trailing hyphen)', () => {
    assert.equal(ownerUserAccessName('emrah.baysal@openova.io'), 'useraccess-owner-emrah-baysal-at-openova-io');
    assert.ok(ownerUserAccessName(`${'a'.repeat(60)}@x.io`).length <= 63);
    assert.ok(!ownerUserAccessName(`${'a'.repeat(45)}-@x.io`).endsWith('-'));
  });
});

void describe('whoami held to what the Sovereign decides (judgeWhoami)', () => {
  const owner = decideOwner({}, { kind: 'data', data: CM }, { kind: 'not-asked' }) as Extract<OwnerIdentity, { ok: true }>;
  const self = { kind: 'id' as const, deploymentId: 'ab2135d4cf2d01e4', fqdn: 'otech64.omani.works' };
  const me = { email: 'owner@omani.works', sub: 'owner@omani.works', verified: true, tier: 'owner', sovereignFQDN: 'otech64.omani.works', deploymentId: 'ab2135d4cf2d01e4', mode: 'sovereign' };

  void it('the later answer passes; an early-May answer without tier or sovereign fields passes too', () => {
    assert.deepEqual(judgeWhoami(me, owner, 'otech64.omani.works', self), { evidence: [] });
    assert.deepEqual(judgeWhoami({ email: 'owner@omani.works', sub: 'x', verified: true }, owner, 'otech64.omani.works', self), { evidence: [] });
  });

  void it('another email or a tier below owner: session-not-established', () => {
    assert.equal(judgeWhoami({ ...me, email: 'someone@else.io' }, owner, 'otech64.omani.works', self).failure?.cause, 'session-not-established');
    assert.equal(judgeWhoami({ ...me, tier: 'viewer' }, owner, 'otech64.omani.works', self).failure?.cause, 'session-not-established');
  });

  void it('the Sovereign\'s own FQDN comes from /sovereign/self, not from whoami (which echoes the minted claim)', () => {
    // whoami echoes the claim we minted (right), the Pod's own env names another Sovereign: caught.
    const r = judgeWhoami(me, owner, 'otech64.omani.works', { ...self, fqdn: 'otech62.omani.works' });
    assert.equal(r.failure?.cause, 'sovereign-fqdn');
    assert.match(r.failure?.message ?? '', /CATALYST_OTECH_FQDN/);
    // The Sovereign's own id differs from the ConfigMap's (a stale ConfigMap read): named.
    assert.equal(judgeWhoami(me, owner, 'otech64.omani.works', { ...self, deploymentId: '0000000000000000' }).failure?.cause, 'session-not-established');
    // /sovereign/self unreadable: decided on the rest, and said so.
    const r2 = judgeWhoami(me, owner, 'otech64.omani.works', { kind: 'none', why: '503 deployment-id-not-yet-stamped' });
    assert.equal(r2.failure, undefined);
    assert.match(r2.evidence[0] ?? '', /echo the minted claims/);
  });
});

void describe('Keycloak converging and the realm import (issue 13, least privilege)', () => {
  void it('classifies Keycloak starting, a realm not yet imported, and a served realm', () => {
    assert.equal(classifyRealmAnswer(503, 'Service Unavailable').state, 'starting');
    assert.equal(classifyRealmAnswer(undefined, '', 'ECONNRESET').state, 'other', 'a connection reset is the edge\'s finding, not Keycloak starting');
    assert.equal(classifyRealmAnswer(404, '{"error":"Realm does not exist","error_description":"Realm does not exist"}').state, 'no-realm');
    assert.equal(classifyRealmAnswer(200, '{"realm":"sovereign"}').state, 'ready');
    assert.equal(classifyRealmAnswer(404, '404 page not found').state, 'other', 'another service answering is not a realm being imported');
  });

  const realm = (users: unknown[], extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ realm: 'sovereign', clients: [{ clientId: 'catalyst-api-server', secret: 'kcsa-realm-import-secret-1234', serviceAccountsEnabled: true }], users, ...extra });

  void it('decides the roles from users[].clientRoles of the realm import, and registers the client secret', () => {
    const ok = saRolesFromRealmImport(realm([{ username: 'service-account-catalyst-api-server', serviceAccountClientId: 'catalyst-api-server', clientRoles: { 'realm-management': ['impersonation', 'manage-users', 'view-users', 'query-users', 'manage-realm'] } }]), 'catalyst-api-server', 'cm');
    assert.ok(ok.ok, ok.message);
    assert.match(redact('client secret kcsa-realm-import-secret-1234'), /^client secret \[redacted [^\]]+\]$/);
    // realm-admin is a composite holding all four.
    assert.ok(saRolesFromRealmImport(realm([{ username: 'service-account-catalyst-api-server', clientRoles: { 'realm-management': ['realm-admin'] } }]), 'catalyst-api-server', 'cm').ok);
  });

  void it('incident 2: roles only in clientScopeMappings give the service-account user nothing', () => {
    const bad = saRolesFromRealmImport(realm([], { clientScopeMappings: { 'realm-management': [{ client: 'catalyst-api-server', roles: ['impersonation', 'manage-users', 'view-users', 'query-users'] }] } }), 'catalyst-api-server', 'cm');
    assert.equal(bad.ok, false);
    assert.equal(bad.causeId, 'keycloak-sa-roles');
    assert.match(bad.message, /only in clientScopeMappings/);
    assert.ok(!bad.message.includes('kcsa-realm-import-secret-1234'));
  });
});

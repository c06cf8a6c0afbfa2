/**
 * Who the login checks sign in as (issue 12), what that leaves on the Sovereign, and whether the
 * session whoami answers is the owner's, as the Sovereign itself decides. Pure rules.
 *
 * @module
 */
import type { CauseId } from '../report/causes.js';
import type { OwnerConfigMap, SovereignSelf } from '../clients/handover.js';

/** Who the login checks sign in as, and where each half came from. */
export type OwnerIdentity =
  | {
      ok: true;
      email: string;
      emailSource: string;
      deploymentId: string;
      deploymentIdSource: string;
      /** The Sovereign's owner per the ConfigMap, when readable (an override may differ). */
      orgEmail?: string;
      /** The Sovereign's own deployment id (ConfigMap or /sovereign/self), when known. */
      selfDeploymentId?: string;
    }
  | { ok: false; verdict: 'skip' | 'fail'; cause: CauseId; missing: string };

const OWNER_CM = 'ConfigMap catalyst-system/sovereign-fqdn';

/**
 * Decides the identity the login signs in as (contract §2, §5). The mothership hands over to the
 * owner: `orgEmail` and `selfDeploymentId` of ConfigMap sovereign-fqdn (chart template
 * products/catalyst/chart/templates/sovereign-fqdn-configmap.yaml, openova-io/openova 8d01e2f: both
 * keys default to ""), else the id from `GET /api/v1/sovereign/self` (sovereign_self.go: env
 * CATALYST_SELF_DEPLOYMENT_ID from the same key; asked without a session because it would fall back to
 * the cookie's claims). `SMOKE_HANDOVER_EMAIL` / `SMOKE_HANDOVER_DEPLOYMENT_ID` override. Never an
 * invented identity: without an owner the checks that need a valid login are skipped naming what was
 * missing. A ConfigMap that does not exist although we may read it is a finding (catalyst-api has no
 * SOVEREIGN_FQDN from it either), not a reason to skip.
 */
export function decideOwner(
  overrides: { email?: string | undefined; deploymentId?: string | undefined },
  cm: OwnerConfigMap,
  self: SovereignSelf,
): OwnerIdentity {
  const data = cm.kind === 'data' ? cm.data : undefined;
  const orgEmail = data?.['orgEmail']?.trim() || undefined;
  const cmId = data?.['selfDeploymentId']?.trim() || undefined;
  const selfId = cmId ?? (self.kind === 'id' ? self.deploymentId : undefined);
  const cmSeen =
    cm.kind === 'absent'
      ? `${OWNER_CM} does not exist`
      : cm.kind === 'forbidden'
        ? `${OWNER_CM} may not be read (${cm.why})`
        : cm.kind === 'unreadable'
          ? `${OWNER_CM} could not be read (${cm.why})`
          : undefined;
  const missing: string[] = [];
  const email = overrides.email ?? orgEmail;
  if (!email) missing.push(cmSeen ? `the owner's email: ${cmSeen}` : `the owner's email: ${OWNER_CM} has no orgEmail (the chart value sovereign.orgEmail was never set)`);
  const deploymentId = overrides.deploymentId ?? selfId;
  if (!deploymentId) {
    const why = self.kind === 'none' ? `GET /api/v1/sovereign/self: ${self.why}` : 'GET /api/v1/sovereign/self was not asked';
    missing.push(`the Sovereign's deployment id: ${cmSeen ?? `${OWNER_CM} has no selfDeploymentId`}; ${why}`);
  }
  if (email && deploymentId) {
    return {
      ok: true,
      email,
      emailSource: overrides.email ? 'SMOKE_HANDOVER_EMAIL' : `${OWNER_CM} key orgEmail`,
      deploymentId,
      deploymentIdSource: overrides.deploymentId ? 'SMOKE_HANDOVER_DEPLOYMENT_ID' : cmId ? `${OWNER_CM} key selfDeploymentId` : 'GET /api/v1/sovereign/self',
      ...(orgEmail ? { orgEmail } : {}),
      ...(selfId ? { selfDeploymentId: selfId } : {}),
    };
  }
  const text = `${missing.join('; and ')}; set SMOKE_HANDOVER_EMAIL${missing.length > 1 || !deploymentId ? ' and SMOKE_HANDOVER_DEPLOYMENT_ID' : ''} to sign in as the owner without it`;
  // Absent while readable: a finding about the Sovereign (catalyst-api's SOVEREIGN_FQDN comes from it).
  if (cm.kind === 'absent') return { ok: false, verdict: 'fail', cause: 'sovereign-fqdn', missing: `${text}. catalyst-api reads SOVEREIGN_FQDN from the same ConfigMap, so every handover is refused with "invalid audience"` };
  const cause: CauseId = cm.kind === 'unreadable' && cm.cause === 'kube-unauthenticated' ? 'kube-unauthenticated' : 'owner-unknown';
  return { ok: false, verdict: 'skip', cause, missing: text };
}

/**
 * What a login as `owner` creates on the Sovereign beyond one session, as auth_handover.go (a6fa814)
 * does it: EnsureUser(email, "sovereign-admins") creates the Keycloak user when absent (the group
 * holds realm-management realm-admin); seedOwnerUserAccess creates UserAccess
 * catalyst-system/useraccess-owner-<email> (tierRoleRef openova:tier-owner, user_access_owner_seed.go
 * 452a82c) when absent; lookupDeploymentForInfra(deployment_id) synthesises a record for an id it does
 * not hold. The owner's own login creates none of these: catalyst-api seeds the owner's UserAccess at
 * boot (OPERATOR_EMAIL = orgEmail) and the first handover created the Keycloak user.
 */
export function overrideFootprint(owner: Extract<OwnerIdentity, { ok: true }>, realm: string): string[] {
  const out: string[] = [];
  const isOwner = !!owner.orgEmail && owner.orgEmail.toLowerCase() === owner.email.toLowerCase();
  if (!isOwner) {
    const who = owner.orgEmail ? `not the owner ${owner.orgEmail}` : 'the owner could not be read to compare';
    out.push(`${owner.emailSource} ${owner.email} (${who}): Keycloak user ${owner.email} in realm ${realm}, group sovereign-admins (realm-management realm-admin), created by EnsureUser unless it existed`);
    out.push(`${owner.emailSource} ${owner.email}: UserAccess catalyst-system/${ownerUserAccessName(owner.email)} (tier owner, ClusterRole openova:tier-owner), created by seedOwnerUserAccess unless it existed`);
  }
  if (!owner.selfDeploymentId || owner.selfDeploymentId !== owner.deploymentId) {
    out.push(`${owner.deploymentIdSource} ${owner.deploymentId}${owner.selfDeploymentId ? ` (the Sovereign's own id is ${owner.selfDeploymentId})` : ''}: catalyst-api may store a deployment record for it (lookupDeploymentForInfra)`);
  }
  return out;
}

/** `useraccess-owner-<sanitized email>` as user_access_owner_seed.go names it (63 characters at most). */
export function ownerUserAccessName(email: string): string {
  const seg = email.trim().toLowerCase().replace(/@/g, '-at-').replace(/\./g, '-').replace(/[^a-z0-9-]/g, '').replace(/^-+|-+$/g, '');
  return `useraccess-owner-${seg || 'operator'}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * `handover.login`'s whoami step, held to what the Sovereign decides, not to what the suite minted.
 * HandleWhoami (auth.go, openova-io/openova c12016b) answers `email` and `tier` from the session
 * catalyst-api minted (the handover stamps tier "owner" for the mothership's handover), but
 * `sovereignFQDN` and `deploymentId` from the session's copies of the token's claims first, and only
 * then from its env: an echo of what the suite minted. The Sovereign's own values come from
 * GET /api/v1/sovereign/self asked WITHOUT a cookie (sovereign_self.go: env CATALYST_OTECH_FQDN and
 * CATALYST_SELF_DEPLOYMENT_ID, filled at Pod start from ConfigMap sovereign-fqdn).
 */
export function judgeWhoami(
  me: { email?: unknown; sovereignFQDN?: unknown; deploymentId?: unknown; tier?: unknown; [k: string]: unknown },
  owner: Extract<OwnerIdentity, { ok: true }>,
  fqdn: string,
  self: SovereignSelf,
): { failure?: { cause: CauseId; message: string }; evidence: string[] } {
  const ev: string[] = [];
  const email = typeof me.email === 'string' ? me.email : '';
  if (email.toLowerCase() !== owner.email.toLowerCase()) return { failure: { cause: 'session-not-established', message: `expected email ${owner.email} (${owner.emailSource}), got ${email || '(none)'}` }, evidence: ev };
  // tier appears from June on (auth_handover.go stamps "owner"); older builds answer without it.
  if (me.tier !== undefined && me.tier !== 'owner') return { failure: { cause: 'session-not-established', message: `expected tier "owner" for the mothership's handover session, got ${JSON.stringify(me.tier)}` }, evidence: ev };
  if (self.kind === 'id') {
    if (self.fqdn && self.fqdn !== fqdn) return { failure: { cause: 'sovereign-fqdn', message: `GET /api/v1/sovereign/self (no cookie) names the Sovereign ${JSON.stringify(self.fqdn)}, expected ${fqdn}: catalyst-api's CATALYST_OTECH_FQDN is not this Sovereign` }, evidence: ev };
    if (owner.deploymentIdSource !== 'SMOKE_HANDOVER_DEPLOYMENT_ID' && self.deploymentId !== owner.deploymentId) {
      return { failure: { cause: 'session-not-established', message: `the Sovereign's own deployment id (GET /api/v1/sovereign/self, no cookie) is ${self.deploymentId}, but ${owner.deploymentIdSource} says ${owner.deploymentId}` }, evidence: ev };
    }
  } else {
    ev.push(`the Sovereign's own FQDN and deployment id could not be read (GET /api/v1/sovereign/self without a session: ${self.kind === 'none' ? self.why : 'not asked'}); whoami's sovereignFQDN/deploymentId echo the minted claims and were not used as evidence`);
  }
  if (me.deploymentId !== undefined && me.deploymentId !== owner.deploymentId) {
    return { failure: { cause: 'session-not-established', message: `whoami answers deploymentId ${JSON.stringify(me.deploymentId)}, but the session was minted for ${owner.deploymentId}` }, evidence: ev };
  }
  return { evidence: ev };
}

/**
 * How the handover checks decide (issue 6), on the transport of clients/handover.ts: which refusal
 * names which root cause, and what replay, forged tokens and a missing session must get.
 *
 * A handover 401 carries one of the error strings of shared/sovereign.md §1.3; {@link rejectionCause}
 * maps it to its root cause. `keycloak error: ensure user` is explained by running the
 * `keycloak.sa-roles` assessment from here (roles, secret, reachability), so the login check names
 * the root cause even when the cluster checks do not run.
 *
 * Identity (issue 12): the login signs in as the Sovereign's owner with the Sovereign's own
 * deployment id ({@link decideOwner}), exactly as the mothership's handover does, mints one valid
 * token per run (the replay check replays the login's), ends the session where catalyst-api offers a
 * logout, and records every change it made with `sideEffect()`.
 *
 * The browser half of handover.login is clients/browser-login.ts and decisions/browser-login.ts.
 *
 * @module
 */
import type { CauseId } from '../report/causes.js';
import { check, fail, note, sideEffect, skipCheck } from '../report/check.js';
import type { SovereignConfig } from '../clients/config.js';
import { HandoverClient, type HandoverAnswer, type SovereignSelf } from '../clients/handover.js';
import type { Kube } from '../clients/kube.js';
import type { HttpResponse, Network } from '../clients/net.js';
import type { TokenVariant } from '../clients/tokens.js';
import { redact, redactUrl } from '../report/redact.js';
import { decideOwner, overrideFootprint, type OwnerIdentity } from './handover-owner.js';
import { KC_ADDR_DEFAULT, kcAddrProblem, type KeycloakProbe } from './keycloak.js';

/** §1.3 error strings and the root cause each one points at. */
export const HANDOVER_ERRORS: Record<string, CauseId> = {
  'missing token parameter': 'handover-rejected',
  'server misconfiguration: public key unavailable': 'handover-server-misconfigured',
  'invalid token': 'handover-key-mismatch',
  'invalid issuer': 'handover-issuer',
  'invalid audience': 'sovereign-fqdn',
  'insufficient role': 'handover-rejected',
  'email not verified': 'handover-rejected',
  'missing email claim': 'handover-rejected',
  'missing jti': 'handover-rejected',
  'internal error': 'handover-internal-error',
  'token already used': 'replay-accepted',
  'server misconfiguration: keycloak not configured': 'handover-server-misconfigured',
  'keycloak error: ensure user': 'handover-ensure-user',
  unauthenticated: 'handover-rejected',
};

/** Refusals that come after the jti is recorded (checks 12 and 13; `internal error` is also check 10). */
const REFUSED_AFTER_JTI = new Set(['server misconfiguration: keycloak not configured', 'keycloak error: ensure user']);

/**
 * The handover checks' verdicts, on the handover transport. One per worker.
 *
 * @example
 * await handover.expectAccepted(await handover.exchange(await handover.mintValid(await handover.requireOwner())));
 */
export class HandoverChecks extends HandoverClient {
  private ownerPromise: Promise<OwnerIdentity> | undefined;

  constructor(config: SovereignConfig, net: Network, kube: Kube, private readonly keycloak: KeycloakProbe) {
    super(config, net, kube);
  }

  /** The identity the login checks sign in as (resolved once per worker). */
  owner(): Promise<OwnerIdentity> {
    this.ownerPromise ??= (async () => {
      const overrides = { email: this.config.handoverEmail, deploymentId: this.config.handoverDeploymentId };
      const cm = await this.ownerConfigMap();
      const hasId = !!overrides.deploymentId || (cm.kind === 'data' && !!cm.data['selfDeploymentId']?.trim());
      const self: SovereignSelf = hasId ? { kind: 'not-asked' } : await this.sovereignSelf();
      return decideOwner(overrides, cm, self);
    })();
    return this.ownerPromise;
  }

  /** The owner identity, or the running check is skipped (or failed, when the ConfigMap is absent) naming what was missing. */
  async requireOwner(): Promise<Extract<OwnerIdentity, { ok: true }>> {
    const o = await this.owner();
    if (o.ok) return o;
    if (o.verdict === 'fail') fail(o.cause, `no owner identity to sign in as: ${o.missing}`);
    skipCheck(o.cause, `not signed in: no owner identity (${o.missing}); the suite never signs in under an invented identity`);
  }

  /** Fails the running check when Keycloak does not serve the realm within SMOKE_AWAIT (issue 13). */
  async awaitKeycloak(): Promise<void> {
    const problem = await this.keycloak.awaitRealm();
    if (problem) fail(problem.cause, `not signed in: handover's EnsureUser needs the realm, and ${problem.message}`);
  }

  /** What this login creates beyond one owner session (override email or deployment id), in words. */
  overrideFootprint(owner: Extract<OwnerIdentity, { ok: true }>): string[] {
    return overrideFootprint(owner, this.config.keycloakRealm);
  }

  /** Records a replay-store entry when `answer` shows the token passed check 11 (its jti is in jti.log for good). */
  recordJti(answer: HandoverAnswer | undefined, what: string): void {
    if (!answer) return;
    const stored = answer.status === 302 || (answer.status === 401 && !!answer.error && REFUSED_AFTER_JTI.has(answer.error));
    if (stored) sideEffect(`replay store: one jti entry for ${what} (/var/lib/catalyst/jti.log on the PVC, append-only, never pruned)`);
  }

  /**
   * A negative-check token. Without a signing key every variant is signed by a throwaway key. These
   * tokens stop at checks 3-6, before the jti store and Keycloak: the owner's identity when known,
   * else an address that can receive no mail (they must never sign anyone in).
   */
  override async mintVariant(variant: TokenVariant): Promise<string> {
    const o = await this.owner();
    return super.mintVariant(variant, o.ok ? { email: o.email, deploymentId: o.deploymentId } : undefined);
  }

  /**
   * The root cause of a handover that did not succeed, with a message naming what was seen.
   * `keycloak error: ensure user` is explained by probing Keycloak as the service account.
   */
  async rejectionCause(answer: Pick<HandoverAnswer, 'status' | 'error' | 'body'>, what: string): Promise<{ cause: CauseId; message: string }> {
    if (answer.status === 401 && answer.error) {
      const cause = HANDOVER_ERRORS[answer.error] ?? (answer.error.startsWith('server misconfiguration') ? 'handover-server-misconfigured' : 'handover-rejected');
      let message = `${what}: expected 302 to /dashboard, got 401 "${answer.error}"`;
      if (cause === 'sovereign-fqdn') message += `: catalyst-api compares aud with "https://console." + its SOVEREIGN_FQDN, which is empty or not ${this.config.fqdn} (see catalyst-api.sovereign-fqdn)`;
      if (cause === 'handover-key-mismatch') message += ': the public key on the Sovereign does not verify the signing key, or the token is malformed/expired (see catalyst-api.handover-key)';
      if (cause === 'handover-issuer') message += `: the Sovereign refuses the mothership's issuer ${this.config.handoverIssuer}. A cut-over catalyst-api accepts both its configured CATALYST_HANDOVER_JWT_ISSUER and the mothership's (auth_handover_issuer_set_test.go, #5614); this one accepts only another, so the mothership's own handover fails here too`;
      if (cause === 'handover-ensure-user') {
        let kc = await this.keycloak.assessServiceAccount();
        // No Secret may be read (least privilege): the realm import still tells whether the roles are granted.
        if (kc.skipped) kc = await this.keycloak.assessFromRealmImport();
        // EnsureUser looks users up, creates them and sets groups; it does not impersonate (Keycloak 26
        // dropped requested_subject), so a missing impersonation role alone does not explain it.
        const onlyImpersonation = !kc.ok && kc.causeId === 'keycloak-sa-roles' && kc.lookupStatus === 200 && !!kc.missingRoles?.length && kc.missingRoles.every((r) => r === 'impersonation');
        if (!kc.ok && kc.causeId && !kc.skipped && !onlyImpersonation) return { cause: kc.causeId, message: `${message}. Keycloak as the service account: ${kc.message}` };
        if (kc.ok || onlyImpersonation) {
          // Keycloak is fine from outside: look at where catalyst-api dials it from inside the Pod.
          const pod = await this.keycloak.podKeycloakAddress();
          const problem = 'addr' in pod ? kcAddrProblem(pod.addr, this.config.fqdn) : undefined;
          if ('addr' in pod && problem) {
            return { cause: 'keycloak-unreachable-from-pod', message: `${message}. Keycloak accepts the service account from outside, but catalyst-api dials ${pod.addr?.trim() || KC_ADDR_DEFAULT} (CATALYST_KC_ADDR, from ${pod.source}): ${problem}` };
          }
          message += `. Keycloak accepts the service account from outside, so catalyst-api cannot reach it from the Pod or uses other credentials (CATALYST_KC_ADDR ${'addr' in pod ? `${pod.addr?.trim() || `unset, default ${KC_ADDR_DEFAULT}`}, from ${pod.source}` : `unknown: ${pod.error}`})`;
        } else {
          message += `. The service account could not be checked: ${kc.message}`;
        }
      }
      return { cause, message };
    }
    if (answer.status >= 500) return { cause: 'catalyst-api-unavailable', message: `${what}: expected 302 to /dashboard, got ${answer.status} ${redact(answer.body.slice(0, 120))}` };
    return { cause: 'console-unexpected-response', message: `${what}: expected 302 to /dashboard or 401 JSON, got ${answer.status} ${redact(answer.body.slice(0, 120))}` };
  }

  /** Fails unless the answer is the 302 to /dashboard a valid token gets. */
  async expectAccepted(answer: HandoverAnswer | undefined, what = `GET ${this.consoleOrigin}/auth/handover with a fresh token`): Promise<void> {
    if (!answer) fail('console-unresponsive', `${what}: no response from /auth/handover`);
    if (answer.status !== 302) {
      const r = await this.rejectionCause(answer, what);
      fail(r.cause, r.message);
    }
    const path = answer.location ? new URL(answer.location, this.consoleOrigin).pathname : '(none)';
    check(path === '/dashboard', 'handover-rejected', `${what}: expected 302 Location /dashboard, got 302 Location ${answer.location ? redactUrl(new URL(answer.location, this.consoleOrigin)) : '(none)'}`);
  }

  /** `handover.replay-rejected`: the second use must be 401 `token already used`. */
  async expectReplayRefused(first: HandoverAnswer, second: HandoverAnswer): Promise<void> {
    const what = `the same token sent twice to ${this.consoleOrigin}/auth/handover`;
    if (second.status === 401 && second.error === 'token already used') {
      // The first use burned the jti (at check 11, before Keycloak): protection proven either way.
      check(first.status === 302 || (first.status === 401 && first.error !== 'token already used'), 'handover-rejected', `${what}: the first use was already refused as "token already used"; a fresh jti must be accepted once`);
      return;
    }
    if (second.status === 302) fail('replay-accepted', `${what}: expected 401 "token already used" the second time, got 302 ${second.location ?? ''} (signed in twice with one token)`);
    // Checks 12 and 13 come after the jti is recorded (check 11): the same refusal twice means it was not.
    const afterJti = first.status === 401 && !!first.error && REFUSED_AFTER_JTI.has(first.error) && second.error === first.error;
    if (first.status === 302 || (first.status === 401 && first.error && second.error !== first.error) || afterJti) {
      fail('replay-accepted', `${what}: first ${first.status}${first.error ? ` "${first.error}"` : ''}, second ${second.status}${second.error ? ` "${second.error}"` : ''}; expected 401 "token already used": the jti store did not record the first use${afterJti ? ' (it is recorded at check 11, before Keycloak is called at checks 12-13, so the second use must stop there)' : ''}`);
    }
    const r = await this.rejectionCause(first, `${what} (first use)`);
    fail(r.cause, `${r.message}; refused before the jti is recorded (check 11), so replay protection could not be exercised`);
  }

  /** The tokens handover.forged-rejected sends: with a signing key, a control first (see {@link TokenVariant}). */
  forgedVariants(): TokenVariant[] {
    return this.config.handoverKey ? ['control-role', 'foreign-key', 'other-audience', 'expired'] : ['foreign-key', 'other-audience', 'expired'];
  }

  /**
   * `handover.forged-rejected`. Without a signing key every variant must be 401 (a throwaway key signed
   * them all: this proves signature checking only, and says so). With one, the control must stop at
   * check 6 (`insufficient role`), proving that signature, issuer and audience pass for the real key;
   * then each variant must stop at its own check: a foreign key and an expired token at check 3
   * (`invalid token`), another audience at check 5 (`invalid audience`). Checks run in order and the
   * first failure answers, so any later refusal means the variant's own check let it through.
   */
  async expectForgedRefused(answers: { variant: TokenVariant; answer: HandoverAnswer }[]): Promise<void> {
    const seen = answers.map((a) => `${a.variant}: ${a.answer.status}${a.answer.error ? ` "${a.answer.error}"` : ''}`).join('; ');
    const where = `forged tokens at ${this.consoleOrigin}/auth/handover`;
    const accepted = answers.filter((a) => a.answer.status >= 200 && a.answer.status < 400);
    if (accepted.length) fail('forged-accepted', `tokens catalyst-api must refuse were accepted: ${accepted.map((a) => `${a.variant} (${a.answer.status} ${a.answer.location ?? ''})`).join(', ')}; expected 401 for each (${seen})`);
    const odd = answers.find((a) => a.answer.status !== 401);
    if (odd) fail(odd.answer.status >= 500 ? 'catalyst-api-unavailable' : 'console-unexpected-response', `${where}: expected 401 for each, got ${seen}`);
    if (!this.config.handoverKey) {
      note('note', 'no handover signing key configured: every variant was signed by a throwaway key, so this proves signature checking only, not the audience or expiry checks');
      return;
    }
    const control = answers.find((a) => a.variant === 'control-role')?.answer;
    if (control && control.error !== 'insufficient role') {
      const r = await this.rejectionCause(control, `${where}: the control token (the real key, everything right but role)`);
      fail(r.cause, `${r.message.replace('expected 302 to /dashboard', 'expected 401 "insufficient role" (check 6)')}; so the audience and expiry checks cannot be tested (${seen})`);
    }
    const want: Partial<Record<TokenVariant, string>> = { 'foreign-key': 'invalid token', 'other-audience': 'invalid audience', expired: 'invalid token' };
    const through = answers.filter((a) => want[a.variant] !== undefined && a.answer.error !== want[a.variant]);
    if (through.length) {
      fail('forged-accepted', `${where}: ${through.map((a) => `the ${a.variant} token got past its check (expected 401 "${want[a.variant] ?? ''}", got "${a.answer.error ?? ''}")`).join('; ')} (${seen})`);
    }
  }

  /** `handover.session-required`. */
  expectUnauthenticated(res: HttpResponse): void {
    const what = `GET ${this.consoleOrigin}/api/v1/whoami without a session`;
    if (res.status === 401) return;
    if (res.status === 200) fail('session-not-required', `${what}: expected 401 {"error":"unauthenticated"}, got 200 ${redact(res.body.slice(0, 160))}`);
    fail(res.status >= 500 ? 'catalyst-api-unavailable' : 'console-unexpected-response', `${what}: expected 401, got ${res.status} ${redact(res.body.slice(0, 120))}`);
  }
}

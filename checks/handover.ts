/**
 * The handover: the path an operator takes the first time they open their Sovereign (issue 6). In
 * production it failed with 401 twice in one day for two root causes (invalid audience, ensure user).
 * The login signs in as the Sovereign's owner with the Sovereign's own deployment id, exactly as the
 * mothership's handover does (issue 12), so a run leaves one owner session and nothing else.
 *
 * handover.replay-rejected sends the login's own token a second time, so a run mints one valid token
 * and opens one session, not two (its spec runs the two in order in one worker). The refusals are
 * asked of the endpoint directly, with Accept: application/json.
 */
import { takeLoginToken } from '../clients/handover.js';
import type { TokenVariant } from '../clients/tokens.js';
import { fail, sideEffect, step } from '../report/check.js';
import type { CauseId } from '../report/causes.js';
import { defineCheck } from './define.js';

/**
 * What an answer of /auth/handover can be classified as (decisions/handover.ts): the refusals of
 * catalyst-api's handover (auth_handover.go), Keycloak's failures behind EnsureUser, and a
 * console that answers something else. Every check that exchanges a token may name them.
 */
const EXCHANGE_CAUSES: readonly CauseId[] = [
  'catalyst-api-unavailable', 'console-unexpected-response', 'handover-ensure-user', 'handover-internal-error',
  'handover-issuer', 'handover-key-mismatch', 'handover-rejected', 'handover-server-misconfigured',
  'keycloak-sa-credentials-rejected', 'keycloak-sa-roles', 'keycloak-unreachable', 'keycloak-unreachable-from-pod',
  'owner-unknown', 'replay-accepted', 'sa-credentials-missing', 'sovereign-fqdn',
];

export const login = defineCheck({
  id: 'handover.login',
  title: 'a fresh handover token opened in a real browser lands on /dashboard signed in',
  tags: ['@auth', '@browser'],
  needs: ['signing-key', 'console', 'browser'],
  causes: [
    ...EXCHANGE_CAUSES, 'keycloak-not-ready', 'keycloak-realm-missing', 'session-cookie-insecure',
    'session-not-established',
  ],
  async decide({ handover, browserLogin }) {
    if (!browserLogin) fail('browser-unavailable', 'no browser session for handover.login');
    const owner = await handover.requireOwner();
    await handover.awaitKeycloak();
    const token = await handover.mintValid(owner);
    const landing = await step('open the handover link in Chromium', () => browserLogin.open(token, owner));
    try {
      await step('handover answers 302 to /dashboard', async () => handover.expectAccepted(landing.handover));
      await step('catalyst_session is HttpOnly, Secure, SameSite=Lax', async () => browserLogin.expectSessionCookie());
      await step('GET /api/v1/whoami answers 200 for the owner, as the Sovereign decides', () => browserLogin.expectWhoami());
      await step('the dashboard is shown, not the login page', () => browserLogin.expectDashboard());
    } finally {
      handover.recordJti(landing.handover, 'the login\'s token');
      // EnsureUser and seedOwnerUserAccess ran only if the handover got through (302).
      if (landing.handover?.status === 302) for (const line of handover.overrideFootprint(owner)) sideEffect(line);
      await browserLogin.endSession();
    }
  },
});

export const replayRejected = defineCheck({
  id: 'handover.replay-rejected',
  title: 'the same token used twice is refused the second time (401 token already used)',
  tags: ['@auth'],
  needs: ['signing-key', 'console'],
  causes: [...EXCHANGE_CAUSES],
  async decide({ handover }) {
    const prior = takeLoginToken(handover);
    let token: string;
    let first;
    if (prior?.answer) {
      // The browser login's token: already used once, by the login itself.
      token = prior.token;
      first = prior.answer;
    } else {
      // The login did not run in this worker (or got no answer): one token of our own, used twice.
      const owner = await handover.requireOwner();
      token = await handover.mintValid(owner);
      first = await step('first use', () => handover.exchange(token));
      handover.recordJti(first, 'the replay check\'s own token');
      if (first.status === 302) sideEffect(`a second catalyst_session for ${owner.email} (the replay check's first use; the login's token was not available): not signed out, valid until it expires 8h after issue`);
    }
    const second = await step('the same token again', () => handover.exchange(token));
    await handover.expectReplayRefused(first, second);
  },
});

export const forgedRejected = defineCheck({
  id: 'handover.forged-rejected',
  title: 'tokens signed by a foreign key, for another audience, or expired are refused (401)',
  tags: ['@auth'],
  needs: ['console'],
  causes: [...EXCHANGE_CAUSES, 'forged-accepted'],
  async decide({ handover }) {
    const variants: TokenVariant[] = handover.forgedVariants();
    const answers = [];
    for (const variant of variants) {
      answers.push({ variant, answer: await step(`${variant} token`, async () => handover.exchange(await handover.mintVariant(variant))) });
    }
    await handover.expectForgedRefused(answers);
  },
});

export const sessionRequired = defineCheck({
  id: 'handover.session-required',
  title: 'GET /api/v1/whoami without a session answers 401',
  tags: ['@auth'],
  needs: ['console'],
  causes: ['catalyst-api-unavailable', 'console-unexpected-response', 'session-not-required'],
  async decide({ handover }) {
    handover.expectUnauthenticated(await handover.whoamiWithoutSession());
  },
});

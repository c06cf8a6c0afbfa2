// handover.login (issue 6): the path an operator takes the first time they open their Sovereign. In
// production it failed with 401 twice in one day for two root causes (invalid audience, ensure user).
// It signs in as the Sovereign's owner with the Sovereign's own deployment id, exactly as the
// mothership's handover does (issue 12), so a run leaves one owner session and nothing else.
//
// handover.replay-rejected lives here too: it sends the login's own token a second time, so a run
// mints one valid token and opens one session, not two. The two run in order in one worker.
import { sideEffect, test } from '../fixtures/index.js';
import { takeLoginToken } from '../clients/handover.js';
import { awaitConsoleEdge } from '../decisions/edge-checks.js';

test.describe.configure({ mode: 'default' });

test(
  'handover.login: a fresh handover token opened in a real browser lands on /dashboard signed in',
  { tag: ['@auth', '@browser'] },
  async ({ handover, browserLogin, config, kube, net }) => {
    handover.requireKey();
    await awaitConsoleEdge({ config, kube, net });
    const owner = await handover.requireOwner();
    await handover.awaitKeycloak();
    const token = await handover.mintValid(owner);
    const landing = await test.step('open the handover link in Chromium', () => browserLogin.open(token, owner));
    try {
      await test.step('handover answers 302 to /dashboard', () => handover.expectAccepted(landing.handover));
      await test.step('catalyst_session is HttpOnly, Secure, SameSite=Lax', () => browserLogin.expectSessionCookie());
      await test.step('GET /api/v1/whoami answers 200 for the owner, as the Sovereign decides', () => browserLogin.expectWhoami());
      await test.step('the dashboard is shown, not the login page', () => browserLogin.expectDashboard());
    } finally {
      handover.recordJti(landing.handover, 'the login\'s token');
      // EnsureUser and seedOwnerUserAccess ran only if the handover got through (302).
      if (landing.handover?.status === 302) for (const line of handover.overrideFootprint(owner)) sideEffect(line);
      await browserLogin.endSession();
    }
  },
);

test('handover.replay-rejected: the same token used twice is refused the second time (401 token already used)', { tag: ['@auth'] }, async ({ handover, config, kube, net }) => {
  handover.requireKey();
  await awaitConsoleEdge({ config, kube, net });
  const prior = takeLoginToken();
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
    first = await test.step('first use', () => handover.exchange(token));
    handover.recordJti(first, 'the replay check\'s own token');
    if (first.status === 302) sideEffect(`a second catalyst_session for ${owner.email} (the replay check's first use; the login's token was not available): not signed out, valid until it expires 8h after issue`);
  }
  const second = await test.step('the same token again', () => handover.exchange(token));
  await handover.expectReplayRefused(first, second);
});

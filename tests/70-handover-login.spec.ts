// handover.login (issue 6): the path an operator takes the first time they open their Sovereign. In
// production it failed with 401 twice in one day for two root causes (invalid audience, ensure user).
import { test } from '../fixtures/index.js';

test(
  'handover.login: a fresh handover token opened in a real browser lands on /dashboard signed in',
  { tag: ['@auth', '@browser'] },
  async ({ handover, browserLogin }) => {
    const token = await handover.mintValid();
    const landing = await test.step('open the handover link in Chromium', () => browserLogin.open(token));
    await test.step('handover answers 302 to /dashboard', () => handover.expectAccepted(landing.handover));
    await test.step('catalyst_session is HttpOnly, Secure, SameSite=Lax', () => browserLogin.expectSessionCookie());
    await test.step('GET /api/v1/whoami answers 200 for the minted email and this FQDN', () => browserLogin.expectWhoami());
    await test.step('the dashboard is shown, not the login page', () => browserLogin.expectDashboard());
  },
);

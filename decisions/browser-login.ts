/**
 * `handover.login`'s verdicts on what the browser saw (clients/browser-login.ts): the session cookie's
 * attributes, whoami held to what the Sovereign decides (decisions/handover-owner.ts judgeWhoami),
 * and the dashboard shown rather than the login page.
 *
 * @module
 */
import { BrowserLogin } from '../clients/browser-login.js';
import { check, evidence, fail } from '../report/check.js';
import { poll, WATCH_INTERVALS } from '../clients/poll.js';
import { redact, registerSecret } from '../report/redact.js';
import { judgeWhoami, type OwnerIdentity } from './handover-owner.js';

/** One test's browser session with the login's verdicts. */
export class BrowserLoginChecks extends BrowserLogin {
  /** The identity signed in as, with where it came from (whoami is held to it). */
  private owner: Extract<OwnerIdentity, { ok: true }> | undefined;

  /** Opens the handover link for `owner` (see {@link BrowserLogin.open}). */
  override open(token: string, owner: Extract<OwnerIdentity, { ok: true }>): ReturnType<BrowserLogin['open']> {
    this.owner = owner;
    return super.open(token, owner);
  }

  /** The `catalyst_session` cookie: HttpOnly, Secure, SameSite=Lax; host-only or `.<fqdn>`, or exactly the configured domain. */
  async expectSessionCookie(): Promise<void> {
    const cookies = await this.context.cookies(this.client.consoleOrigin);
    for (const c of cookies) registerSecret(c.value, `cookie ${c.name}`);
    const session = cookies.find((c) => c.name === 'catalyst_session');
    const raw = (this.landing.handover?.setCookies ?? []).find((s) => s.trim().startsWith('catalyst_session='));
    const shown = raw ? redact(raw) : '(no Set-Cookie catalyst_session)';
    check(session, raw ? 'session-cookie-insecure' : 'session-not-established', `catalyst_session on ${this.client.config.consoleUrl.host}: expected the browser to hold it after the handover, saw none; handover answered ${shown}`);
    const want = this.client.config.sessionCookieDomain;
    const problems: string[] = [];
    // The Set-Cookie header as sent, when there is one: Chromium reports a cookie without SameSite as
    // Lax (its default), so the browser's view alone cannot see the attribute missing.
    const attrs = raw?.split(';').slice(1).map((a) => a.trim().toLowerCase());
    const sent = (name: string): boolean => !attrs || attrs.some((a) => a === name || a.startsWith(`${name}=`));
    const sameSite = attrs ? (attrs.find((a) => a.startsWith('samesite='))?.slice('samesite='.length) ?? '(not set; browsers default to Lax)') : session.sameSite;
    if (!session.httpOnly || !sent('httponly')) problems.push('HttpOnly missing');
    if (!session.secure || !sent('secure')) problems.push('Secure missing');
    if (sameSite.toLowerCase() !== 'lax') problems.push(`SameSite=${sameSite}, expected Lax`);
    // Unset: either form catalyst-api has shipped (host-only until June, then Domain=.<fqdn>, #3374);
    // anything wider (the parent zone) would hand the session to every Sovereign under it.
    const hostOnly = !session.domain.startsWith('.');
    const domain = session.domain.replace(/^\./, '');
    const fqdn = this.client.config.fqdn;
    if (want ? domain !== want : !hostOnly && domain !== fqdn) problems.push(`Domain ${session.domain}, expected ${want ? `.${want}` : `host-only (${this.client.config.consoleUrl.hostname}) or .${fqdn}`}`);
    check(problems.length === 0, 'session-cookie-insecure', () => `catalyst_session cookie: ${problems.join(', ')} (Set-Cookie: ${shown})`);
  }

  /** GET /api/v1/whoami from the page (the browser's cookie) answers 200 for the minted identity. */
  async expectWhoami(): Promise<void> {
    const what = `GET ${this.client.consoleOrigin}/api/v1/whoami with the session cookie`;
    // The console's own call already answered: a refused session is the finding, whatever the UI does
    // next (later consoles send the whole page to Keycloak with prompt=none before showing /login).
    const own = this.landing.pageWhoami;
    if (own !== undefined && own !== 200 && own < 500) fail('session-not-established', `${what}: the console UI's own call answered ${own}: the session cookie the handover set is not accepted (${this.describe()})`);
    const res = await this.browserWhoami();
    if (res.status === 401) fail('session-not-established', `${what}: expected 200, got 401 ${redact(res.body.slice(0, 120))}: the session cookie the handover set is not accepted`);
    if (res.status !== 200) fail(res.status >= 500 ? 'catalyst-api-unavailable' : 'console-unexpected-response', `${what}: expected 200, got ${res.status} ${redact(res.body.slice(0, 120))}`);
    let me: { email?: unknown; sovereignFQDN?: unknown; deploymentId?: unknown; tier?: unknown } = {};
    try {
      me = JSON.parse(res.body) as typeof me;
    } catch {
      fail('console-unexpected-response', `${what}: expected JSON, got ${redact(res.body.slice(0, 120))}`);
    }
    const owner = this.owner;
    if (!owner) throw new Error('expectWhoami before open');
    const verdict = judgeWhoami(me, owner, this.client.config.fqdn, await this.client.sovereignSelf());
    for (const line of verdict.evidence) evidence(line);
    if (verdict.failure) fail(verdict.failure.cause, `${what}: ${verdict.failure.message}`);
  }

  /** The UI shows the dashboard, not the login page, once its auth guard has run. */
  async expectDashboard(): Promise<void> {
    const r = await poll({
      timeoutMs: this.client.config.timeoutMs * 2,
      intervals: WATCH_INTERVALS,
      observe: async () => {
        const path = this.currentPath();
        return { done: path === '/dashboard' && this.landing.pageWhoami === 200, terminal: path.startsWith('/login') || (this.landing.pageWhoami !== undefined && this.landing.pageWhoami !== 200), seen: this.describe(), value: path };
      },
    });
    if (r.outcome === 'done') return;
    const loginShown = r.last.value.startsWith('/login');
    fail('session-not-established', `the console UI after the handover: expected /dashboard signed in, ${loginShown ? 'got the login page' : 'got something else'} (${r.last.seen}); the UI's GET /api/v1/whoami did not accept the session`);
  }
}

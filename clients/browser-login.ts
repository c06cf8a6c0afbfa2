/**
 * One test's browser session for `handover.login` (issue 6): Chromium driven through the handover link,
 * the redacted request/response sequence, the page's own whoami, and the logout where catalyst-api
 * offers one. The verdicts on what it saw are decisions/browser-login.ts.
 *
 * Secrets: the browser never receives the token URL through a Playwright API (a loopback redirector
 * holds it), every session cookie is registered as soon as it is seen, and a screenshot is taken only
 * once the token is gone from the address bar.
 *
 * @module
 */
import type { BrowserContext, Page, Response } from '@playwright/test';
import { startRedirector } from './redirector.js';
import type { CauseId } from '../report/causes.js';
import { fail, sideEffect } from '../report/check.js';
import { parseError, registerCookies, rememberLoginToken, type HandoverAnswer, type HandoverClient, type SignInAs } from './handover.js';
import { poll, WATCH_INTERVALS } from './poll.js';
import { redact, redactUrl } from '../report/redact.js';
import { describeSilence, SilentPeers } from './silent.js';

/** What the browser saw of the handover navigation. */
export interface Landing {
  handover?: HandoverAnswer;
  /** Network failure of a console request (net::ERR_…), if any. */
  failure?: string;
  /** Status of the page's own GET /api/v1/whoami, once seen. */
  pageWhoami?: number;
  email: string;
}

/**
 * One test's browser session: context, page, the redacted request/response sequence, optional
 * tracing. Attaches a screenshot, the sequence and the scrubbed trace when the check fails.
 */
export class BrowserLogin {
  readonly sequence: string[] = [];
  protected readonly landing: Landing;
  protected readonly started = Date.now();
  protected who: SignInAs | undefined;

  constructor(
    protected readonly client: HandoverClient,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    this.landing = { email: '' };
    const consoleHost = client.config.consoleUrl.host;
    const t = (): string => `${((Date.now() - this.started) / 1000).toFixed(3)}s`;
    page.on('request', (req) => this.sequence.push(`${t()} -> ${req.method()} ${redactUrl(req.url())}`));
    page.on('requestfailed', (req) => {
      const text = req.failure()?.errorText ?? 'failed';
      this.sequence.push(`${t()} xx ${req.method()} ${redactUrl(req.url())}: ${text}`);
      if (new URL(req.url()).host === consoleHost && !this.landing.failure) this.landing.failure = `${redactUrl(req.url())}: ${text}`;
    });
    page.on('response', (res) => {
      const url = new URL(res.url());
      this.sequence.push(`${t()} <- ${res.status()} ${res.request().method()} ${redactUrl(url)}${res.headers()['location'] ? ` Location ${redactUrl(new URL(res.headers()['location'] ?? '', url))}` : ''}`);
      if (url.host !== consoleHost) return;
      if (url.pathname === '/api/v1/whoami') this.landing.pageWhoami = res.status();
      if (url.pathname === '/auth/handover') {
        void this.captureHandover(res.status(), res);
      }
    });
  }

  protected async captureHandover(status: number, res: Response): Promise<void> {
    const headers = await res.allHeaders().catch(() => res.headers());
    const setCookies = (await res.headerValues('set-cookie').catch(() => [])).flatMap((v) => v.split('\n'));
    registerCookies(setCookies);
    let body = '';
    if (status !== 302) body = await res.text().catch(() => '');
    const error = status === 401 ? parseError(body) : undefined;
    this.landing.handover = { status, setCookies, body, ...(error ? { error } : {}), ...(headers['location'] ? { location: headers['location'] } : {}) };
  }

  /** Opens the handover link (through the one-shot redirector) and waits for the answer and the UI to settle. */
  async open(token: string, owner: SignInAs): Promise<Landing> {
    this.who = owner;
    this.landing.email = owner.email;
    // The handover answer is one network operation (SMOKE_TIMEOUT, plus a second for the redirector
    // hop); the UI then gets two more to settle (dashboard and its whoami call).
    const answerMs = this.client.config.timeoutMs + 1000;
    const settleMs = this.client.config.timeoutMs * 2;
    const consoleUrl = this.client.config.consoleUrl;
    const consolePort = Number(consoleUrl.port) || 443;
    const silent = new SilentPeers(this.client.config);
    const prior = await silent.seen(consoleUrl.hostname, consolePort);
    if (prior) fail('console-unresponsive', `opening ${this.client.consoleOrigin}/auth/handover?token=[redacted] in Chromium: not tried, ${describeSilence(prior, `${consoleUrl.hostname}:${consolePort}`)}`);
    const redirector = await startRedirector(this.client.handoverUrl(token));
    try {
      // A navigation started from the page: the token URL is in no Playwright call, title or log.
      await this.page.evaluate((u) => {
        window.location.href = u;
      }, redirector.url);
      const answered = await poll({
        timeoutMs: answerMs,
        intervals: WATCH_INTERVALS,
        observe: async () => ({ done: !!this.landing.handover, terminal: !!this.landing.failure, seen: this.describe(), value: this.landing }),
      });
      if (!this.landing.handover && answered.outcome === 'terminal') {
        fail(this.failureCause(this.landing.failure ?? ''), `opening ${this.client.consoleOrigin}/auth/handover?token=[redacted] in Chromium failed: ${this.landing.failure ?? ''}`);
      }
      if (!this.landing.handover) {
        await silent.record(consoleUrl.hostname, consolePort, 'answer', 'GET /auth/handover in Chromium', `no answer within ${answerMs}ms`);
        fail('console-unresponsive', `opening ${this.client.consoleOrigin}/auth/handover?token=[redacted] in Chromium: no answer within ${answerMs}ms (last: ${answered.last.seen})`);
      }
      await poll({
        timeoutMs: settleMs,
        intervals: WATCH_INTERVALS,
        observe: async () => {
          const l = this.landing;
          const settled = !!l.handover && (l.handover.status !== 302 || l.pageWhoami !== undefined || this.currentPath() === '/login');
          return { done: settled, seen: this.describe(), value: l };
        },
      });
      await this.dropTokenFromAddressBar();
      return this.landing;
    } finally {
      // The replay check sends this same token again (no second valid token, no second session).
      rememberLoginToken(this.client, { token, answer: this.landing.handover });
      await redirector.close();
    }
  }

  protected failureCause(errorText: string): CauseId {
    return /TIMED_OUT|TIMEOUT/.test(errorText) ? 'console-unresponsive' : 'console-unreachable';
  }

  protected currentPath(): string {
    try {
      return new URL(this.page.url()).pathname;
    } catch {
      return '';
    }
  }

  protected describe(): string {
    const l = this.landing;
    return `page ${redactUrl(this.page.url())}, handover ${l.handover ? l.handover.status : 'not answered'}, whoami ${l.pageWhoami ?? 'not called'}${l.failure ? `, failure ${l.failure}` : ''}`;
  }

  /**
   * GET /api/v1/whoami with the browser's cookies, through Chromium (its host mapping and trust): from
   * the page when it is still on the console, else from a new page of the same context (the UI may
   * have navigated elsewhere, e.g. to Keycloak).
   */
  protected async browserWhoami(): Promise<{ status: number; body: string }> {
    if (new URL(this.page.url()).origin === this.client.consoleOrigin) {
      try {
        return await this.page.evaluate(async () => {
          const r = await fetch('/api/v1/whoami', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
          return { status: r.status, body: await r.text() };
        });
      } catch {
        // the page navigated away while asking: ask from a page of our own
      }
    }
    const p = await this.context.newPage();
    try {
      const r = await p.goto(`${this.client.consoleOrigin}/api/v1/whoami`, { timeout: this.client.config.timeoutMs });
      return { status: r?.status() ?? 0, body: r ? await r.text() : '' };
    } finally {
      await p.close();
    }
  }

  /**
   * Ends the session the login opened, where catalyst-api offers a logout: POST /api/v1/auth/session
   * (HandleAuthSessionLogout; auth_logout_test.go, openova-io/openova 398a8c3) clears catalyst_session
   * and catalyst_refresh. The session JWT itself is stateless (signed by catalyst-api, 8 h, no session
   * store: auth_handover.go a6fa814), so nothing on the Sovereign can revoke it; it is left to expire.
   * Records the session as a side effect, with what became of it.
   */
  async endSession(): Promise<void> {
    const owner = this.who;
    if (!owner || this.landing.handover?.status !== 302) return;
    let outcome: string;
    try {
      const r = await this.page.evaluate(async () => {
        const res = await fetch('/api/v1/auth/session', { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' } });
        return res.status;
      });
      const left = (await this.context.cookies(this.client.consoleOrigin)).some((c) => c.name === 'catalyst_session' && c.value);
      outcome = r === 200 && !left ? 'signed out with POST /api/v1/auth/session (the browser dropped the cookie)' : `not signed out: POST /api/v1/auth/session answered ${r}${left ? ', the cookie is still held' : ''}`;
    } catch (err) {
      outcome = `not signed out: ${redact(err instanceof Error ? err.message : String(err)).slice(0, 120)}`;
    }
    sideEffect(`one catalyst_session for ${owner.email} (deployment ${owner.deploymentId}): ${outcome}; the session JWT is stateless and stays valid until it expires 8h after issue (catalyst-api keeps no session store to revoke)`);
  }

  /** A refused handover leaves the token in the address bar (the 401 page): remove it before any snapshot. */
  protected async dropTokenFromAddressBar(): Promise<void> {
    if (!/[?&]token=/.test(this.page.url())) return;
    await this.page.evaluate(() => history.replaceState(null, '', location.pathname)).catch(() => undefined);
  }

  /** Called at teardown: attach evidence when the check failed; never the token or the cookie. */
  async finish(failed: boolean, attach: (name: string, body: Buffer | string, contentType: string) => Promise<void>): Promise<void> {
    if (!failed) return;
    // Stop a navigation still waiting on an unresponsive console, so the screenshot need not wait for it.
    await this.page.evaluate(() => window.stop()).catch(() => undefined);
    await this.dropTokenFromAddressBar();
    const shot = await this.page.screenshot({ fullPage: true, timeout: 3000 }).catch(() => undefined);
    if (shot) await attach('page.png', shot, 'image/png');
    await attach('browser-requests.txt', redact(this.sequence.join('\n')), 'text/plain');
  }
}

/**
 * The clients a run judges its checks with, built once per run exactly as the Playwright fixtures
 * build them per worker (Network, Kube, Hcloud, EdgeChecks, KeycloakProbe, HandoverClient, the
 * configuration's secrets registered for redaction), and the browser session `handover.login` needs,
 * without Playwright Test: Chromium is launched through the Playwright library on first use
 * (clients/browser.ts `launchLoginBrowser`) and every session gets its own browser context.
 *
 * Everything a run remembers lives on its context (the login's token for the replay check is kept per
 * HandoverClient, the cluster gate and the provider per Kube, the edge helpers per Network), so two
 * runs in one process share nothing but immutable memos (trust bundles, the throwaway signing key) and
 * the redaction registry, which only grows: a secret of one run is redacted in every run.
 *
 * @example
 * const ctx = createContext(config);
 * try {
 *   const verdicts = await judgeChecks(ctx, CHECKS);
 * } finally {
 *   await ctx.close();
 * }
 *
 * @module
 */
import type { LoginBrowser } from '../clients/browser.js';
import { configSecrets, type SovereignConfig } from '../clients/config.js';
import { Hcloud } from '../clients/hcloud.js';
import { Kube } from '../clients/kube.js';
import { Network } from '../clients/net.js';
import { BrowserLoginChecks } from '../decisions/browser-login.js';
import { EdgeChecks } from '../decisions/edge-checks.js';
import { HandoverChecks } from '../decisions/handover.js';
import { KeycloakProbe } from '../decisions/keycloak.js';
import { redact, registerSecret } from '../report/redact.js';
import type { CheckContext } from './define.js';

export interface ContextOptions {
  /**
   * Launches the browser for `handover.login` (default: Chromium through clients/browser.ts, with the
   * configuration's trust and host mapping). Called at most once per context, on first use.
   */
  launchBrowser?: (config: SovereignConfig) => Promise<LoginBrowser>;
}

/** One browser session for one check: its `BrowserLogin`, or why there is none. */
export interface BrowserSession {
  login: BrowserLoginChecks | undefined;
  /** Why there is no session (Chromium could not be launched), redacted. */
  problem?: string;
  /** Ends the session: the login's evidence is dropped in-process, the browser context is closed. */
  close(): Promise<void>;
}

/** A {@link CheckContext} owned by one run. */
export interface RunContext extends CheckContext {
  /**
   * Opens a browser session as the `browserLogin` fixture does for a test: a fresh browser context
   * (service workers blocked, no downloads) and page in the run's Chromium, launched on first use.
   */
  openBrowserLogin(): Promise<BrowserSession>;
  /** Starts launching the run's Chromium now (so it is ready when the login check needs it). */
  warmBrowser(): void;
  /** Closes the browser and the network connections. */
  close(): Promise<void>;
}

/** Builds the run's clients from `config` (never from `process.env`). */
export function createContext(config: SovereignConfig, opts: ContextOptions = {}): RunContext {
  // fixtures/base.ts `config`: every secret of the configuration is redacted from everything written.
  for (const s of configSecrets(config)) registerSecret(s, 'config secret');
  // clients/net.ts netTest, kube.ts kubeTest, hcloud.ts hcloudTest, keycloak.ts keycloakTest,
  // handover.ts handoverTest: the same constructors with the same arguments.
  const net = new Network(config);
  const kube = new Kube(config);
  const hcloud = new Hcloud(config, kube, net);
  const edge = new EdgeChecks(config, net, hcloud, kube);
  const keycloak = new KeycloakProbe(config, net, kube);
  const handover = new HandoverChecks(config, net, kube, keycloak);

  const launch = opts.launchBrowser ?? (async (c: SovereignConfig) => (await import('../clients/browser.js')).launchLoginBrowser(c));
  let browser: Promise<LoginBrowser> | undefined;
  // handover.ts `loginBrowser`: a browser that cannot start fails the check that needs it, not the run.
  const loginBrowser = (): Promise<LoginBrowser> => {
    browser ??= launch(config).catch((err: unknown): LoginBrowser => ({ browser: undefined, problem: redact(err instanceof Error ? err.message : String(err)), close: async () => undefined }));
    return browser;
  };
  const sessions = new Set<BrowserSession>();

  return {
    config,
    net,
    kube,
    hcloud,
    edge,
    keycloak,
    handover,
    warmBrowser(): void {
      void loginBrowser();
    },
    async openBrowserLogin(): Promise<BrowserSession> {
      const lb = await loginBrowser();
      if (!lb.browser) return { login: undefined, problem: lb.problem ?? 'Chromium could not be launched', close: async () => undefined };
      // handover.ts `browserLogin`; tracing, the screenshot and the request sequence are attachments
      // of a Playwright test and are not made in-process.
      const context = await lb.browser.newContext({ serviceWorkers: 'block', acceptDownloads: false });
      const page = await context.newPage();
      const session: BrowserSession = {
        login: new BrowserLoginChecks(handover, context, page),
        close: async () => {
          sessions.delete(session);
          await context.close().catch(() => undefined);
        },
      };
      sessions.add(session);
      return session;
    },
    async close(): Promise<void> {
      await Promise.allSettled([...sessions].map((s) => s.close()));
      if (browser) await (await browser).close();
      await net.close();
    },
  };
}

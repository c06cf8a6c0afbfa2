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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { LoginBrowser } from '../clients/browser.js';
import { configSecrets, type SovereignConfig } from '../clients/config.js';
import { Hcloud } from '../clients/hcloud.js';
import { Kube } from '../clients/kube.js';
import { Network } from '../clients/net.js';
import { nssHome } from '../clients/nss.js';
import { extraTrustPem } from '../clients/trust.js';
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

/** Attaches one piece of evidence to the check's report (a Playwright test attachment). */
export type Attach = (name: string, body: { body: Buffer | string } | { path: string }, contentType: string) => Promise<void>;

/** One browser session for one check: its `BrowserLogin`, or why there is none. */
export interface BrowserSession {
  login: BrowserLoginChecks | undefined;
  /** Why there is no session (Chromium could not be launched), redacted. */
  problem?: string;
  /**
   * Ends the session. With `attach` (a Playwright test), a failed check gets the page's screenshot,
   * the redacted request sequence and, when tracing, the trace with every token and cookie scrubbed
   * (`SMOKE_TRACE=on`: also for a check that passed). In-process the evidence is dropped.
   */
  close(failed?: boolean, attach?: Attach): Promise<void>;
}

/** A {@link CheckContext} owned by one run. */
export interface RunContext extends CheckContext {
  /**
   * Opens a browser session as the `browserLogin` fixture does for a test: a fresh browser context
   * (service workers blocked, no downloads) and page in the run's Chromium, launched on first use.
   */
  openBrowserLogin(opts?: { trace?: boolean }): Promise<BrowserSession>;
  /**
   * Starts launching the run's Chromium now, and makes the first session's browser context and blank
   * page ahead (so they are ready when the login check needs them).
   */
  warmBrowser(): void;
  /** Closes the browser and the network connections. */
  close(): Promise<void>;
}

/** Stops tracing; with `attach`, attaches the trace after scrubbing every token and cookie from it. */
async function stopTrace(context: BrowserContext, attach: Attach | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'smoke-trace-'));
  try {
    const raw = join(dir, 'raw.zip');
    await context.tracing.stop({ path: raw });
    if (!attach) return;
    const clean = join(dir, 'trace.zip');
    // clients/browser.ts loads Playwright's library: only a run that opens a browser imports it.
    (await import('../clients/browser.js')).scrubTraceZip(raw, clean);
    await attach('trace', { path: clean }, 'application/zip');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

  // Chromium's NSS database is begun first (certutil, clients/nss.ts), so it is made while Playwright's
  // library loads (about 0.6 s in which this process does nothing else).
  const launch =
    opts.launchBrowser ??
    (async (c: SovereignConfig) => {
      const home = nssHome(extraTrustPem(c));
      home.catch(() => undefined); // its failure is launchLoginBrowser's to report
      return (await import('../clients/browser.js')).launchLoginBrowser(c, home);
    });
  let browser: Promise<LoginBrowser> | undefined;
  // handover.ts `loginBrowser`: a browser that cannot start fails the check that needs it, not the run.
  const loginBrowser = (): Promise<LoginBrowser> => {
    browser ??= launch(config).catch((err: unknown): LoginBrowser => ({ browser: undefined, problem: redact(err instanceof Error ? err.message : String(err)), close: async () => undefined }));
    return browser;
  };
  const sessions = new Set<BrowserSession>();
  // A browser context and a blank page made ahead, while the login's gate runs: Chromium's first page
  // in a context starts a renderer, about 1.3 s on 2 cores, as long as the launch itself. Nothing is
  // loaded in it, so it shows the Sovereign nothing; the first session takes it.
  const contextOptions = { serviceWorkers: 'block', acceptDownloads: false } as const;
  let ready: Promise<{ context: BrowserContext; page: Page } | undefined> | undefined;
  const prepare = (): void => {
    ready ??= loginBrowser().then(
      async (lb) => {
        if (!lb.browser) return undefined;
        const context = await lb.browser.newContext(contextOptions);
        return { context, page: await context.newPage() };
      },
      () => undefined,
    ).catch(() => undefined);
  };
  const takePrepared = async (): Promise<{ context: BrowserContext; page: Page } | undefined> => {
    const p = ready;
    ready = undefined;
    return p ? await p : undefined;
  };

  return {
    config,
    net,
    kube,
    hcloud,
    edge,
    keycloak,
    handover,
    warmBrowser(): void {
      prepare();
    },
    async openBrowserLogin(opts: { trace?: boolean } = {}): Promise<BrowserSession> {
      const lb = await loginBrowser();
      if (!lb.browser) return { login: undefined, problem: lb.problem ?? 'Chromium could not be launched', close: async () => undefined };
      const prepared = await takePrepared();
      const context = prepared?.context ?? (await lb.browser.newContext(contextOptions));
      if (opts.trace) await context.tracing.start({ screenshots: true, snapshots: true });
      const page = prepared?.page ?? (await context.newPage());
      const login = new BrowserLoginChecks(handover, context, page);
      const session: BrowserSession = {
        login,
        close: async (failed = false, attach?: Attach) => {
          sessions.delete(session);
          try {
            if (attach) await login.finish(failed, (name, body, contentType) => attach(name, { body }, contentType));
            if (opts.trace) await stopTrace(context, attach && (config.trace === 'on' || failed) ? attach : undefined);
          } finally {
            await context.close().catch(() => undefined);
          }
        },
      };
      sessions.add(session);
      return session;
    },
    async close(): Promise<void> {
      await Promise.allSettled([...sessions].map((s) => s.close()));
      // A context made ahead and never taken is closed when it is ready, without waiting for it here
      // (a browser shared beyond this run, as the self-tests share one, would keep it otherwise).
      void takePrepared().then((p) => p?.context.close()).catch(() => undefined);
      if (browser) await (await browser).close();
      await net.close();
    },
  };
}

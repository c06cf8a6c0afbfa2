/**
 * Chromium shared by the scenarios one thread judges (selftest/verdicts.ts), instead of one launch,
 * and one `certutil` NSS database, per scenario. A run's browser is launched exactly as
 * clients/browser.ts `launchLoginBrowser` launches it; a launched one is handed again only to a run
 * whose launch would be the same: the same executable, the same trust (the NSS database's PEM) and the
 * same `--host-resolver-rules` (hosts, addresses and ports). The simulators of one slot make that so
 * (one sim root CA per thread, one gateway port per slot: verdicts.ts).
 *
 * Nothing of a session is shared: every session is its own browser context (checks/context.ts
 * `openBrowserLogin` opens a new one and closes it when the check ends), with its own cookies, cache,
 * HSTS state and connections. What the process shares is what a person's browser shares between
 * windows of two profiles: the binary, the trust store and the host mapping.
 *
 * @example
 * const browsers = new SharedBrowsers(2);
 * const ctx = createContext(config, { launchBrowser: browsers.launch });
 * // … judge; ctx.close() leaves the browser running for the next run with the same launch …
 * await browsers.close();
 *
 * @module
 */
import type { LoginBrowser } from '../clients/browser.js';
import type { SovereignConfig } from '../clients/config.js';
import { extraTrustPem } from '../clients/trust.js';

interface Entry {
  key: string;
  browser: Promise<LoginBrowser>;
  /** Runs holding it now. */
  users: number;
  /** When it was last handed out (for closing the least recently used idle one). */
  usedAt: number;
}

export class SharedBrowsers {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  /** @param keepIdle how many idle browsers to keep for later runs (one per slot). */
  constructor(private readonly keepIdle: number) {}

  /** What makes two launches the same (clients/browser.ts `launchLoginBrowser`'s inputs). */
  private static async keyOf(config: SovereignConfig): Promise<string> {
    const { chromiumExecutable, hostResolverRules } = await import('../clients/browser.js');
    const exe = chromiumExecutable(config);
    return JSON.stringify([exe.path ?? '', exe.problem ?? '', extraTrustPem(config) ?? '', hostResolverRules(config) ?? '']);
  }

  /** createContext's `launchBrowser`: a running browser with this launch, or a new one; its `close` releases it. */
  readonly launch = async (config: SovereignConfig): Promise<LoginBrowser> => {
    if (this.closed) throw new Error('the shared browsers are closed');
    const key = await SharedBrowsers.keyOf(config);
    let entry = this.entries.get(key);
    if (entry) {
      const running = await entry.browser.catch(() => undefined);
      // A browser that crashed or was closed is replaced (its users see their own session fail).
      if (!running?.browser?.isConnected() && this.entries.get(key) === entry) {
        this.entries.delete(key);
        if (entry.users === 0) await running?.close();
      }
      entry = this.entries.get(key);
    }
    if (!entry) {
      // A launch that fails is not kept: the next run tries again, as a run of its own would.
      const browser = import('../clients/browser.js').then((b) => b.launchLoginBrowser(config));
      entry = { key, browser, users: 0, usedAt: 0 };
      this.entries.set(key, entry);
      const mine = entry;
      browser.catch(() => {
        if (this.entries.get(key) === mine) this.entries.delete(key);
      });
    }
    entry.users++;
    entry.usedAt = Date.now();
    const held = entry;
    let lb: LoginBrowser;
    try {
      lb = await held.browser;
    } catch (err) {
      held.users--;
      throw err;
    }
    let released = false;
    return {
      browser: lb.browser,
      ...(lb.problem ? { problem: lb.problem } : {}),
      close: async () => {
        if (released) return;
        released = true;
        held.users--;
        // One replaced while in use (it had crashed) is closed by its last user.
        if (held.users === 0 && this.entries.get(held.key) !== held) await lb.close();
        await this.trim();
      },
    };
  };

  /** Closes the least recently used idle browsers beyond `keepIdle`, and any no longer kept. */
  private async trim(): Promise<void> {
    const idle = [...this.entries.values()].filter((e) => e.users === 0).sort((a, b) => b.usedAt - a.usedAt);
    const drop = idle.slice(this.keepIdle);
    for (const e of drop) this.entries.delete(e.key);
    await Promise.all(drop.map(async (e) => (await e.browser.catch(() => undefined))?.close()));
  }

  /** Closes every browser (at the end of the thread's work). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (await e.browser.catch(() => undefined))?.close()));
  }
}

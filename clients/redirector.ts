/**
 * A one-shot loopback redirector, so no Playwright API call, step title or error ever carries the
 * handover token URL. Kept apart from clients/browser.ts so that loading it does not load Playwright.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A one-shot loopback redirector: `url` (127.0.0.1, random port, random path) answers one 302 to
 * `target` and 410 after that. The browser is sent to `url`, so the token URL never enters a
 * Playwright API call, step title or error.
 */
export async function startRedirector(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const path = `/${randomBytes(12).toString('hex')}`;
  let used = false;
  const server = createServer((req, res) => {
    if (req.url === path && !used) {
      used = true;
      res.writeHead(302, { location: target, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).end();
    } else {
      res.writeHead(410, { 'content-type': 'text/plain' }).end('gone');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

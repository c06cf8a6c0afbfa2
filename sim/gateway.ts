/**
 * The load balancer IP and cilium-envoy behind it: TLS on `world.gateway.bindHost` (a port chosen at
 * start) serving the PKI's console certificate, routing by Host like the HTTPRoutes do
 * (`console.`/`api.` → catalyst-api, `auth.` → Keycloak) and adding `X-Forwarded-Proto: https`.
 *
 * Failure modes, read from the world on every connection (so timeline changes apply live):
 * - `reset`: the LB accepts TCP and closes it before TLS (no targets, incident 3);
 * - `hang`: it accepts TCP and never answers.
 * When DNS is stale (`dnsAnswer` differs from `bindHost`), a foreign listener answers at the stale
 * address on the same port: an IP that is no longer this Sovereign's load balancer, which resets.
 *
 * @module
 */
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { catalystHandler } from './catalyst-api.js';
import { logRequest, type RunningServer, type SimContext } from './context.js';
import { keycloakHandler } from './keycloak.js';
import { PLATFORM_ROUTES, serviceReady, type SimRoute } from './routes.js';
import type { World } from './world.js';

/** What a platform UI answers to GET / (gitea's and harbor's pages, OpenBao's redirect to its UI). */
function platformHandler(world: World, r: SimRoute): Handler {
  return (_req, res) => {
    if (!serviceReady(world, r.namespace, r.service)) {
      res.writeHead(503, { 'content-type': 'text/plain', server: 'envoy' }).end('no healthy upstream');
      return;
    }
    if (r.label === 'bao') {
      res.writeHead(307, { location: '/ui/', 'content-length': '0' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${r.label}</title>`);
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** Starts the gateway; `port` is the one port both the LB IP and a stale-DNS foreign IP answer on. */
export async function startGateway(ctx: SimContext): Promise<RunningServer> {
  const { world } = ctx;
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  const routes = (): Record<string, Handler> => ({
    [`console.${world.fqdn}`]: catalyst,
    [`api.${world.fqdn}`]: catalyst,
    [`auth.${world.fqdn}`]: keycloak,
    // The other public hosts (sim/routes.ts): envoy answers 503 while the backend has no ready endpoint.
    ...Object.fromEntries(PLATFORM_ROUTES.filter((r) => r.label !== 'auth').map((r) => [`${r.label}.${world.fqdn}`, platformHandler(world, r)])),
  });
  const catalyst = catalystHandler(ctx);
  const keycloak = keycloakHandler(ctx);

  const https = createHttpsServer({ cert: ctx.pki.served.chainPem, key: ctx.pki.served.keyPem, ALPNProtocols: ['http/1.1'] }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    res.on('finish', () => logRequest(ctx, 'gateway', req.method ?? 'GET', `${host}${req.url ?? ''}`, res.statusCode));
    // What envoy adds in front of the backends.
    req.headers['x-forwarded-proto'] = 'https';
    req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    req.headers['x-envoy-external-address'] = req.socket.remoteAddress ?? '127.0.0.1';
    const slow = world.gateway.slowAnswers?.find((a) => (req.url ?? '').split('?')[0] === a.path);
    if (slow) {
      // Node sends the status line and headers with the first body write, so holding end() holds the answer.
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        if (res.statusCode !== slow.status) return end(...args);
        const t = setTimeout(() => end(...args), slow.delayMs);
        res.once('close', () => clearTimeout(t));
        return res;
      }) as typeof res.end;
    }
    const handler = routes()[host];
    if (!handler) {
      // Envoy answers a Host no HTTPRoute matches with an empty 404.
      res.writeHead(404, { 'content-length': '0', server: 'envoy' }).end();
      return;
    }
    handler(req, res);
  });
  https.on('tlsClientError', (_err, s) => s.destroy());

  // The LB IP: decides per connection whether anything answers, then hands the socket to envoy.
  const lb = createNetServer({ pauseOnConnect: false }, (socket) => {
    track(socket);
    const mode = world.gateway.mode;
    if (mode === 'reset') {
      logRequest(ctx, 'gateway', 'CONNECT', `${world.gateway.bindHost} (reset: no targets)`, 0);
      socket.resetAndDestroy();
      return;
    }
    if (mode === 'hang') {
      logRequest(ctx, 'gateway', 'CONNECT', `${world.gateway.bindHost} (hang)`, 0);
      return; // accepted, never answered; destroyed on close
    }
    https.emit('connection', socket);
  });
  // An address that is not this Sovereign's LB any more (stale DNS): nothing of ours behind it.
  const foreign = createNetServer((socket) => {
    track(socket);
    logRequest(ctx, 'gateway', 'CONNECT', `${world.gateway.dnsAnswer} (foreign address: reset)`, 0);
    socket.resetAndDestroy();
  });

  const needForeign = world.gateway.dnsAnswer !== world.gateway.bindHost;
  // The port asked for (SimOptions.gatewayPort) on the first attempt, then any.
  const wanted = ctx.wantPorts?.gateway ?? 0;
  const bind = async (): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      let port: number;
      try {
        port = await listen(lb, world.gateway.bindHost, attempt === 0 ? wanted : 0);
      } catch (err) {
        if (attempt > 0 || !wanted) throw err;
        continue; // the port asked for is taken: take any
      }
      if (!needForeign) return port;
      try {
        await listen(foreign, world.gateway.dnsAnswer, port);
        return port;
      } catch (err) {
        // The same port is taken at the stale address: try another pair.
        await closeServer(lb);
        if (attempt >= 10) throw err;
      }
    }
  };
  const port = await bind();
  // auth.<fqdn> served by another of the Sovereign's load balancers (#4053: console./api. on a
  // console LB, the rest on the main one): the same envoy behind a second address, same port.
  const second = createNetServer((socket) => {
    track(socket);
    https.emit('connection', socket);
  });
  const authAddress = world.gateway.authAddress;
  if (authAddress && authAddress !== world.gateway.bindHost) await listen(second, authAddress, port);

  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      https.close();
      await Promise.all([closeServer(lb), closeServer(foreign), closeServer(second)]);
    },
  };
}

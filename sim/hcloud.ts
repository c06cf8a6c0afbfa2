/**
 * The Hetzner Cloud API (read-only part the suite and the hcloud CLI use): `/v1/load_balancers`,
 * `/v1/load_balancers/{id}`, `/v1/servers`, `/v1/servers/{id}` in the API's JSON shapes, with
 * `meta.pagination`, `label_selector`/`name` filters, `sort`, Bearer auth, the `RateLimit-*` headers
 * and 429 `rate_limit_exceeded` while `world.hcloud.rateLimitedRequests` > 0.
 *
 * Errors use the API's envelope: `{"error":{"code":"unauthorized","message":"unable to authenticate"}}`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { matchesSelector, parseLabelSelector } from './label-selector.js';
import type { Socket } from 'node:net';
import { logRequest, type RunningServer, type SimContext } from './context.js';
import type { HcloudLoadBalancer, HcloudServer } from './world.js';

const RATE_LIMIT = 3600;


/** Fields the real API returns that the world model leaves out, so real clients decode what they expect. */
function fullLoadBalancer(lb: HcloudLoadBalancer): Record<string, unknown> {
  return {
    protection: { delete: false },
    outgoing_traffic: 0,
    ingoing_traffic: 0,
    included_traffic: 21990232555520,
    ...lb,
    load_balancer_type: { id: 1, description: 'LB11', max_connections: 10000, max_services: 5, max_targets: 25, max_assigned_certificates: 10, deprecated: null, prices: [], ...lb.load_balancer_type },
    location: { id: 1, description: 'Falkenstein DC Park 1', country: 'DE', city: 'Falkenstein', latitude: 50.47612, longitude: 12.370071, ...lb.location },
    services: lb.services.map((s) => ({ http: null, ...s, health_check: { http: null, ...s.health_check } })),
  };
}

function fullServer(s: HcloudServer, world: SimContext['world']): Record<string, unknown> {
  return {
    image: { id: 114690387, type: 'system', name: 'ubuntu-24.04', description: 'Ubuntu 24.04', os_flavor: 'ubuntu', os_version: '24.04', status: 'available', rapid_deploy: true, deprecated: null, labels: {}, created: '2024-04-25T13:00:00+00:00' },
    iso: null,
    rescue_enabled: false,
    locked: false,
    backup_window: null,
    outgoing_traffic: 0,
    ingoing_traffic: 0,
    included_traffic: 21990232555520,
    protection: { delete: false, rebuild: false },
    primary_disk_size: s.server_type.disk,
    volumes: [],
    placement_group: null,
    load_balancers: world.hcloud.loadBalancers.filter((lb) => lb.targets.some((t) => t.server?.id === s.id)).map((lb) => lb.id),
    ...s,
    public_net: { firewalls: [], floating_ips: [], ...s.public_net },
    server_type: { id: 1, description: s.server_type.name.toUpperCase(), storage_type: 'local', cpu_type: 'shared', architecture: 'x86', deprecated: false, prices: [], ...s.server_type },
    datacenter: { id: 14, description: 'Falkenstein 1 virtual DC 14', server_types: { available: [], supported: [], available_for_migration: [] }, ...s.datacenter, location: { id: 1, description: 'Falkenstein DC Park 1', latitude: 50.47612, longitude: 12.370071, ...s.datacenter.location } },
  };
}

type Item = { id: number; name: string; created: string; labels: Record<string, string> };

function sortItems<T extends Item>(items: T[], sorts: string[]): T[] {
  const keys = sorts.length ? sorts : ['id:asc'];
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const [field, dir] = k.split(':');
      const av = a[field as keyof Item];
      const bv = b[field as keyof Item];
      const c = typeof av === 'number' && typeof bv === 'number' ? av - bv : String(av).localeCompare(String(bv));
      if (c !== 0) return dir === 'desc' ? -c : c;
    }
    return 0;
  });
}

/** Starts the fake Hetzner Cloud API on 127.0.0.1 (HCLOUD_ENDPOINT=http://127.0.0.1:PORT/v1). */
export async function startHcloud(ctx: SimContext): Promise<RunningServer> {
  const { world } = ctx;
  world.hcloud.readOnlyToken ??= `hc${randomBytes(31).toString('hex')}`;
  let remaining = RATE_LIMIT;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hcloud.invalid');
    const method = req.method ?? 'GET';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      logRequest(ctx, 'hcloud', method, `${url.pathname}${url.search}`, status);
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
    };
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}): void =>
      send(status, { error: { code, message, details: null } }, headers);

    const auth = req.headers.authorization ?? '';
    const readOnly = !!world.hcloud.readOnlyToken && auth === `Bearer ${world.hcloud.readOnlyToken}`;
    if (auth !== `Bearer ${world.hcloud.token}` && !readOnly) return error(401, 'unauthorized', 'unable to authenticate');
    // A read-only token may read; anything else is refused as the API refuses it.
    if (readOnly && method !== 'GET') return error(403, 'forbidden', 'insufficient permissions for this request (read-only token)');

    const resetAt = String(Math.ceil(Date.now() / 1000) + world.hcloud.rateLimitResetSeconds);
    if (world.hcloud.rateLimitedRequests > 0) {
      world.hcloud.rateLimitedRequests--;
      const headers = { 'ratelimit-limit': String(RATE_LIMIT), 'ratelimit-remaining': '0', 'ratelimit-reset': resetAt, 'retry-after': String(world.hcloud.rateLimitResetSeconds) };
      return error(429, 'rate_limit_exceeded', `limit of ${RATE_LIMIT} requests per hour reached`, headers);
    }
    remaining = Math.max(0, remaining - 1);
    const rl = { 'ratelimit-limit': String(RATE_LIMIT), 'ratelimit-remaining': String(remaining), 'ratelimit-reset': resetAt };

    if (method !== 'GET') return error(405, 'method_not_allowed', `method ${method} is not allowed on this simulated (read-only) endpoint`, rl);

    const m = /^\/v1\/(load_balancers|servers)(?:\/(\d+))?\/?$/.exec(url.pathname);
    if (!m) return error(404, 'not_found', 'not found', rl);
    const kind = m[1] as 'load_balancers' | 'servers';
    const singular = kind === 'servers' ? 'server' : 'load_balancer';
    const all: Item[] = kind === 'servers' ? world.hcloud.servers : world.hcloud.loadBalancers;
    const render = (it: Item): Record<string, unknown> => (kind === 'servers' ? fullServer(it as HcloudServer, world) : fullLoadBalancer(it as HcloudLoadBalancer));

    if (m[2]) {
      const found = all.find((i) => i.id === Number(m[2]));
      if (!found) return error(404, 'not_found', `${singular} with ID '${m[2]}' not found`, rl);
      return send(200, { [singular]: render(found) }, rl);
    }

    let items = all;
    const selector = url.searchParams.get('label_selector');
    if (selector !== null) {
      const reqs = parseLabelSelector(selector);
      if (!reqs) return error(400, 'invalid_input', `invalid label_selector: ${selector}`, rl);
      items = items.filter((i) => matchesSelector(i.labels, reqs));
    }
    const name = url.searchParams.get('name');
    if (name !== null) items = items.filter((i) => i.name === name);
    items = sortItems(items, url.searchParams.getAll('sort'));

    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '25');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1 || perPage > 50) {
      return error(400, 'invalid_input', 'invalid input in fields page, per_page (page ≥ 1, 1 ≤ per_page ≤ 50)', rl);
    }
    const total = items.length;
    const lastPage = Math.max(1, Math.ceil(total / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return send(
      200,
      {
        [kind]: slice.map(render),
        meta: { pagination: { page, per_page: perPage, previous_page: page > 1 ? page - 1 : null, next_page: page < lastPage ? page + 1 : null, last_page: lastPage, total_entries: total } },
      },
      rl,
    );
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

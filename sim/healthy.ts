/**
 * The healthy Sovereign every scenario starts from.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { RsaKeyPair } from '../clients/keys.js';
import { rsaKeyPair } from './keys.js';
import { healthyObjects } from './kube-objects.js';
import type { HcloudLoadBalancer, HcloudServer, RealmImport, World } from './world.js';

export const PARENT_ZONE = 'sovereign.test';
export const DEPLOYMENT_ID = 'ab2135d4cf2d01e4';
export const REALM_MANAGEMENT_SA_ROLES = ['impersonation', 'manage-users', 'view-users', 'query-users', 'manage-realm', 'view-realm', 'view-clients', 'manage-clients'];

/** Test credentials of a simulated Sovereign: random per start, distinctive, never real. */
function credential(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

function realm(clientSecret: string): RealmImport {
  return {
    realm: 'sovereign',
    clients: [
      { clientId: 'kubectl', publicClient: true },
      { clientId: 'catalyst-ui', publicClient: true },
      { clientId: 'catalyst-api-server', secret: clientSecret, serviceAccountsEnabled: true, publicClient: false },
    ],
    users: [
      {
        username: 'service-account-catalyst-api-server',
        serviceAccountClientId: 'catalyst-api-server',
        enabled: true,
        clientRoles: { 'realm-management': [...REALM_MANAGEMENT_SA_ROLES] },
      },
    ],
    groups: [{ name: 'sovereign-admins' }, { name: 'sovereign-ops' }, { name: 'sovereign-viewers' }],
  };
}

function server(world: Pick<World, 'fqdn'>, id: number, suffix: string, role: 'control-plane' | 'worker', ip: string, privateIp: string): HcloudServer {
  const prefix = `catalyst-${world.fqdn.replace(/\./g, '-')}`;
  return {
    id,
    name: `${prefix}-${suffix}`,
    status: 'running',
    created: '2026-05-03T09:12:44+00:00',
    labels: { 'catalyst.openova.io/sovereign': world.fqdn, 'catalyst.openova.io/role': role },
    public_net: { ipv4: { ip, blocked: false, dns_ptr: `static.${ip}.clients.your-server.de` }, ipv6: null },
    private_net: [{ network: 4711, ip: privateIp, alias_ips: [], mac_address: '86:00:00:aa:bb:cc' }],
    server_type: { name: role === 'control-plane' ? 'cpx31' : 'cpx41', cores: role === 'control-plane' ? 4 : 8, memory: role === 'control-plane' ? 8 : 16, disk: 160 },
    datacenter: { name: 'fsn1-dc14', location: { name: 'fsn1', city: 'Falkenstein', country: 'DE', network_zone: 'eu-central' } },
  };
}

function loadBalancer(world: Pick<World, 'fqdn'>, ip: string, servers: HcloudServer[]): HcloudLoadBalancer {
  const prefix = `catalyst-${world.fqdn.replace(/\./g, '-')}`;
  const tcp = (listen: number, dest: number, check?: { interval: number; timeout: number; retries: number }) => ({
    protocol: 'tcp' as const,
    listen_port: listen,
    destination_port: dest,
    proxyprotocol: false,
    // Ports 80/443 declare no health check: Hetzner's defaults (TCP on the destination port) apply.
    health_check: { protocol: 'tcp' as const, port: dest, interval: check?.interval ?? 15, timeout: check?.timeout ?? 10, retries: check?.retries ?? 3 },
  });
  return {
    id: 301,
    name: `${prefix}-lb`,
    created: '2026-05-03T09:12:40+00:00',
    labels: { 'catalyst.openova.io/sovereign': world.fqdn },
    public_net: { enabled: true, ipv4: { ip, dns_ptr: null }, ipv6: { ip: '2a01:4f8:1c1e:8000::1', dns_ptr: null } },
    private_net: [{ network: 4711, ip: '10.0.1.254' }],
    load_balancer_type: { name: 'lb11' },
    location: { name: 'fsn1', network_zone: 'eu-central' },
    algorithm: { type: 'round_robin' },
    services: [tcp(80, 30080), tcp(443, 30443), tcp(53, 30053, { interval: 15, timeout: 10, retries: 3 })],
    targets: servers.map((s) => ({
      type: 'server' as const,
      server: { id: s.id },
      use_private_ip: true,
      health_status: [80, 443, 53].map((p) => ({ listen_port: p, status: 'healthy' as const })),
    })),
  };
}

export interface HealthyOptions {
  name: string;
  dir: string;
  /** The address the LB IP answers on (loopback). */
  lbIp?: string;
  /** The mothership's handover signer (default: a fresh one). */
  mothershipKey?: RsaKeyPair;
}

/** Builds the healthy world. Keys (unless given) and credentials are fresh for every start. */
export function healthyWorld(opts: HealthyOptions): World {
  const fqdn = `${opts.name}.${PARENT_ZONE}`;
  const lbIp = opts.lbIp ?? '127.0.0.1';
  const { privateKey, publicKey } = opts.mothershipKey ?? rsaKeyPair();
  const publicJwk: Record<string, unknown> = { ...publicKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };
  const clientSecret = credential('kcsa-', 16);
  const servers = [server({ fqdn }, 1001, 'cp1', 'control-plane', '127.0.1.2', '10.0.1.2'), server({ fqdn }, 1002, 'w1', 'worker', '127.0.1.3', '10.0.1.3')];
  const world: World = {
    name: opts.name,
    fqdn,
    dir: opts.dir,
    bootTime: Date.now(),
    kube: { token: credential('kube-sim-'), credentials: 'token', tokenAccepted: true, denied: [], granted: [], objects: [], processEnvAtStart: {}, version: 'v1.31.6+k3s1' },
    hcloud: { token: credential('hc', 31), servers, loadBalancers: [loadBalancer({ fqdn }, lbIp, servers)], rateLimitedRequests: 0, rateLimitResetSeconds: 1 },
    keycloak: { realm: realm(clientSecret), runtimeUsers: [] },
    gateway: { bindHost: lbIp, mode: 'ok', cert: 'valid', dnsAnswer: lbIp },
    catalyst: {
      replayProtection: true,
      cookie: { httpOnly: true, secure: true, sameSite: 'Lax', domain: '' },
      redirectTo: '/dashboard',
      whoamiWithoutSession: false,
      sessionBroken: false,
      expectedIssuer: 'https://console.openova.io',
    },
    mothershipKey: { privateKey, publicJwk },
    timeline: [],
  };
  world.kube.objects = healthyObjects(world, {
    lbIp,
    deploymentId: DEPLOYMENT_ID,
    kcClientSecret: clientSecret,
    kcAddr: 'http://keycloak.keycloak.svc.cluster.local',
    hcloudToken: world.hcloud.token,
    handoverPublicJwk: JSON.stringify({ kty: 'RSA', use: 'sig', alg: 'RS256', n: publicJwk['n'], e: publicJwk['e'] }),
  });
  return world;
}

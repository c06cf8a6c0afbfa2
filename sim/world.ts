/**
 * The simulated Sovereign's state: one model that every fake server reads, so that the same fact is
 * seen consistently from every side (the ConfigMap created after the Pod gives an empty
 * `SOVEREIGN_FQDN` in `exec printenv` AND an `invalid audience` at `/auth/handover`).
 *
 * Scenarios (sim/scenarios/) start from {@link healthyWorld} and change a few fields.
 *
 * Sections are owned by the fake that serves them:
 * - `kube`: sim/kube-apiserver.ts (objects: sim/kube-objects.ts)
 * - `hcloud`: sim/hcloud.ts
 * - `keycloak`: sim/keycloak.ts
 * - `gateway` and `catalyst`: sim/gateway.ts, sim/catalyst-api.ts
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { RbacObject } from './rbac.js';

/** A Kubernetes object as JSON. `metadata.creationTimestamp` is an RFC 3339 string. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** Hetzner Cloud objects, in the API's own JSON shape (only the fields the fakes serve). */
export interface HcloudServer {
  id: number;
  name: string;
  status: 'running' | 'off' | 'initializing';
  created: string;
  labels: Record<string, string>;
  public_net: { ipv4: { ip: string; blocked: boolean; dns_ptr: string } | null; ipv6: { ip: string } | null };
  private_net: { network: number; ip: string; alias_ips: string[]; mac_address: string }[];
  server_type: { name: string; cores: number; memory: number; disk: number };
  datacenter: { name: string; location: { name: string; city: string; country: string; network_zone: string } };
  [k: string]: unknown;
}

export interface HcloudLoadBalancerTarget {
  type: 'server' | 'label_selector' | 'ip';
  server?: { id: number };
  label_selector?: { selector: string };
  ip?: { ip: string };
  use_private_ip: boolean;
  health_status: { listen_port: number; status: 'healthy' | 'unhealthy' | 'unknown' }[];
  targets?: HcloudLoadBalancerTarget[];
}

export interface HcloudLoadBalancer {
  id: number;
  name: string;
  created: string;
  labels: Record<string, string>;
  public_net: { enabled: boolean; ipv4: { ip: string; dns_ptr: string | null }; ipv6: { ip: string; dns_ptr: string | null } };
  private_net: { network: number; ip: string }[];
  load_balancer_type: { name: string };
  location: { name: string; network_zone: string };
  algorithm: { type: 'round_robin' | 'least_connections' };
  services: {
    protocol: 'tcp' | 'http' | 'https';
    listen_port: number;
    destination_port: number;
    proxyprotocol: boolean;
    health_check: { protocol: 'tcp' | 'http' | 'https'; port: number; interval: number; timeout: number; retries: number; http?: unknown };
  }[];
  targets: HcloudLoadBalancerTarget[];
  [k: string]: unknown;
}

/** The Keycloak realm, as the realm import (`sovereign-realm.json`) declares it. */
export interface RealmImport {
  realm: string;
  clients: { clientId: string; secret?: string; publicClient?: boolean; serviceAccountsEnabled?: boolean; id?: string }[];
  /** The `users` array: the service-account user's roles only count when granted here. */
  users: {
    username: string;
    email?: string;
    serviceAccountClientId?: string;
    enabled?: boolean;
    clientRoles?: Record<string, string[]>;
    groups?: string[];
  }[];
  /** Grants here only widen a client's token scope; they give the service-account user nothing. */
  clientScopeMappings?: Record<string, { client: string; roles: string[] }[]>;
  groups: { name: string }[];
}

/** Which certificate the gateway serves for console.<fqdn> / auth.<fqdn>. */
export type ServedCert =
  | 'valid' // leaf + intermediate, from the sim root, matches the cluster Secret
  | 'expired' // validity in the past
  | 'expiring' // valid, but fewer days left than SMOKE_CERT_MIN_DAYS
  | 'wrong-name' // SANs for another domain
  | 'staging' // chains to a "(STAGING)" root the suite does not trust
  | 'staging-other-root' // chains to a staging root other than the two the suite ships (Let's Encrypt's 2025 hierarchy)
  | 'leaf-only' // intermediate missing from the chain
  | 'stale'; // valid and trusted, but not the one in the cluster Secret (envoy kept an old cert)

/** How the load balancer IP answers TCP on 443. */
export type GatewayMode =
  | 'ok'
  | 'reset' // accepts TCP then closes before the TLS handshake (LB without healthy targets)
  | 'hang'; // accepts TCP and never answers

export interface World {
  /** Short name; the FQDN is `${name}.${parentZone}`. */
  name: string;
  fqdn: string;
  /** Directory for files the sim writes (CA, kubeconfig, keys, env file). */
  dir: string;
  /** Time the world was built (ms since epoch): creation timestamps are relative to it. */
  bootTime: number;

  kube: {
    /** Bearer token of the smoke identity (in the kubeconfig unless `credentials` is a client certificate). */
    token: string;
    /**
     * What the kubeconfig authenticates with: the token, or a client certificate as in k3s's admin
     * kubeconfig (`O=system:masters, CN=system:admin`, from k3s's own client CA).
     */
    credentials: 'token' | 'client-certificate';
    /** Whether the API server accepts the kubeconfig's credentials (false: 401 for everything). */
    tokenAccepted: boolean;
    /** Verbs denied by RBAC, as `verb resource[/subresource] [namespace]` patterns, e.g. `create pods/exec`. */
    denied: string[];
    /** Extra permissions the identity holds (reported by preflight as write access), same form. */
    granted: string[];
    /**
     * The Roles, ClusterRoles and bindings the API server authorizes the smoke identity from
     * (sim/rbac.ts). Unset: both sets of sovereigns/rbac.yaml (least-privilege and deep), as
     * `kubectl apply -f sovereigns/rbac.yaml` creates them. `denied` and `granted` apply on top.
     */
    rbac?: RbacObject[];
    objects: KubeObject[];
    /**
     * Values a Pod's process got at start that differ from the objects as they are now (a ConfigMap
     * edited after the Pod started, never rolled out), by Pod name.
     */
    processEnvAtStart: Record<string, Record<string, string>>;
    /** `gitVersion` served at /version. */
    version: string;
    /**
     * The API server accepts connections and completes TLS but answers no request: its datastore is
     * gone (etcd without quorum, k3s's kine without its database) and kube-apiserver holds each
     * request until its `--request-timeout` (1m0s by default).
     */
    unanswered?: boolean;
  };

  hcloud: {
    token: string;
    /**
     * A read-only API token of the same project (Hetzner Console: Security → API tokens, permission
     * "Read"): what an operator gives the suite as HCLOUD_TOKEN. GETs succeed, writes are 403.
     * Made at start when unset.
     */
    readOnlyToken?: string;
    servers: HcloudServer[];
    loadBalancers: HcloudLoadBalancer[];
    /** Number of upcoming requests answered with 429 before normal service resumes. */
    rateLimitedRequests: number;
    /** Seconds announced in Retry-After / RateLimit-Reset for a 429. */
    rateLimitResetSeconds: number;
  };

  keycloak: {
    realm: RealmImport;
    /** Users created at run time (EnsureUser), by id. */
    runtimeUsers: { id: string; username: string; email: string; groups: string[] }[];
    /** Keycloak still starting: every request is answered 503 (a timeline event ends it). */
    starting?: boolean;
    /** False: the realm import has not run yet (404 "Realm does not exist"); undefined means imported. */
    realmImported?: boolean;
  };

  gateway: {
    /** Address the load balancer IP answers on (the IP in Hetzner's public_net); normally 127.0.0.1. */
    bindHost: string;
    mode: GatewayMode;
    cert: ServedCert;
    /**
     * Where console.<fqdn> points (the DNS answer / SMOKE_CONNECT_TO target host). Equals `bindHost`
     * unless DNS is stale, in which case a foreign listener answers there.
     */
    dnsAnswer: string;
    /**
     * Answers held back before they are sent: on `path`, an answer with `status` leaves `delayMs`
     * late (a cold backend: a successful /auth/handover runs EnsureUser's five Keycloak calls).
     */
    slowAnswers?: { path: string; status: number; delayMs: number }[];
    /**
     * Where auth.<fqdn> points when another load balancer serves it (the main one, while console./api.
     * use an optional `…-console-lb`, #4053); unset: the same address as the console.
     */
    authAddress?: string;
  };

  catalyst: {
    /** When false, the jti store is not consulted: a replayed token is accepted. */
    replayProtection: boolean;
    /** Session cookie attributes catalyst-api sets. */
    cookie: { httpOnly: boolean; secure: boolean; sameSite: 'Lax' | 'Strict' | 'None' | ''; domain: string };
    /** Where a successful handover redirects. */
    redirectTo: string;
    /** When true, /api/v1/whoami answers 200 without a session (silent owner / middleware passthrough). */
    whoamiWithoutSession: boolean;
    /** When true, the session cookie set by handover is not accepted by whoami (session signer broken). */
    sessionBroken: boolean;
    /** Handover issuer catalyst-api expects. */
    expectedIssuer: string;
    /**
     * CATALYST_HANDOVER_JWT_ISSUER of a cut-over Sovereign: a later catalyst-api accepts it AND
     * `expectedIssuer` (the accepted-issuer set, #5614).
     */
    configuredIssuer?: string;
    /** When true, /auth/handover skips the audience check (check 5): a token for another Sovereign is accepted. */
    acceptAnyAudience?: boolean;
    /** When false, HTTPRoute catalyst-ui lacks the Exact /readyz and /healthz rules (before TC-211): the SPA answers them. */
    healthRoutes?: boolean;
    /** The Sovereign's owner, ConfigMap sovereign-fqdn key orgEmail (default owner@<fqdn>; '' renders the key empty, as the chart's default). */
    orgEmail?: string;
    /** ConfigMap sovereign-fqdn key orgName (default "Sim Org"). */
    orgName?: string;
  };

  /** The mothership's handover signing key (RSA 2048). Its public JWK is in the Sovereign's Secret. */
  mothershipKey: { privateKey: KeyObject; publicJwk: Record<string, unknown> };

  /** Changes that happen while the suite runs (e.g. a HelmRelease becoming Ready after 3 s). */
  timeline: {
    afterMs: number;
    describe: string;
    apply: (world: World) => void;
    /**
     * What `afterMs` counts from: the simulator's start (default), or the first request the suite
     * makes to any fake, so a provisioning timeline is the same however long the suite takes to boot.
     */
    from?: 'start' | 'first-request';
    /** When it was applied (ms since the epoch), set by the simulator: the moment a layer became ready. */
    appliedAt?: number;
  }[];
}

/**
 * catalyst-api as the cluster holds it: its Deployment, its live Pods, its container, what is mounted
 * where, and its process environment read inside a Pod (exec).
 *
 * @module
 */
import { posix } from 'node:path';
import type { SovereignConfig } from '../clients/config.js';
import type { Kube, KubeObject } from '../clients/kube.js';
import { failOnKubeError } from './kube-read.js';
import type { Container, Pod, PodSpec, Volume } from './kube-shapes.js';

export const CONTAINER = 'catalyst-api';

export const DEPLOYMENT = 'catalyst-api';

export async function catalystDeployment(kube: Kube, config: SovereignConfig): Promise<KubeObject | undefined> {
  try {
    return await kube.get('apps/v1', 'Deployment', config.catalystNamespace, DEPLOYMENT);
  } catch (err) {
    return failOnKubeError(err, `reading Deployment ${config.catalystNamespace}/${DEPLOYMENT}`);
  }
}

export function selectorOf(deploy: KubeObject | undefined): string {
  const labels = (deploy?.['spec'] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
  return labels && Object.keys(labels).length ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : 'app.kubernetes.io/name=catalyst-api';
}

/**
 * The catalyst-api Pods, oldest first: not being deleted, and not ended (an evicted Pod, or one ended
 * by a node shutdown, stays listed with phase Failed until garbage collection; it is no replica).
 */
export async function catalystPods(kube: Kube, config: SovereignConfig, deploy: KubeObject | undefined): Promise<Pod[]> {
  try {
    const pods = await kube.list<Pod>('v1', 'Pod', config.catalystNamespace, { labelSelector: selectorOf(deploy) });
    return pods.filter((p) => !p.metadata['deletionTimestamp'] && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded').sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
  } catch (err) {
    return failOnKubeError(err, `listing catalyst-api Pods in ${config.catalystNamespace}`);
  }
}

export function containerOf(spec: PodSpec): Container | undefined {
  return spec.containers.find((c) => c.name === CONTAINER) ?? spec.containers[0];
}

export function containerRunning(p: Pod, name: string): boolean {
  return p.status?.phase === 'Running' && p.status.containerStatuses?.find((c) => c.name === name)?.state?.running !== undefined;
}

/** The mount serving `path` in a container, longest mountPath first. */
export function mountFor(spec: PodSpec, container: Container, path: string): { mountPath: string; volumeName: string; volume: Volume | undefined; rel: string; subPath?: string } | undefined {
  const mounts = [...(container.volumeMounts ?? [])].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const m = mounts.find((x) => path === x.mountPath || path.startsWith(`${x.mountPath.replace(/\/$/, '')}/`));
  if (!m) return undefined;
  return { mountPath: m.mountPath, volumeName: m.name, volume: spec.volumes?.find((v) => v.name === m.name), rel: posix.relative(m.mountPath, path), ...(m.subPath ? { subPath: m.subPath } : {}) };
}

export function literalEnv(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name && e.value !== undefined)?.value;
}

/** Reads a container's process environment: /proc/1/environ, then printenv, then env. */
export async function readProcessEnv(kube: Kube, namespace: string, pod: string, container: string): Promise<{ env: Record<string, string>; via: string } | { error: string }> {
  const attempts: [string[], (s: string) => Record<string, string>][] = [
    [['cat', '/proc/1/environ'], (s) => parseEnv(s.split('\0'))],
    [['printenv'], (s) => parseEnv(s.split('\n'))],
    [['env'], (s) => parseEnv(s.split('\n'))],
  ];
  const tried: string[] = [];
  for (const [cmd, parse] of attempts) {
    const r = await kube.exec(namespace, pod, container, cmd);
    if (r.exitCode === 0 && r.stdout.includes('=')) return { env: parse(r.stdout), via: cmd.join(' ') };
    tried.push(`\`${cmd.join(' ')}\` exit ${r.exitCode}${r.stderr ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`);
  }
  return { error: tried.join('; ') };
}

export function parseEnv(lines: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf('=');
    if (i > 0) env[l.slice(0, i)] = l.slice(i + 1);
  }
  return env;
}

/** The Pod specs to judge: every live Pod, or the Deployment's template when there is none. */
export function podSpecs(pods: Pod[], deploy: KubeObject | undefined, noPods = ''): { what: string; spec: PodSpec }[] {
  if (pods.length) return pods.map((p) => ({ what: `Pod ${p.metadata.name}`, spec: p.spec }));
  return deploy ? [{ what: `Deployment ${DEPLOYMENT}${noPods}`, spec: (deploy['spec'] as { template: { spec: PodSpec } }).template.spec }] : [];
}

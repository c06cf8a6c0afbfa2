/**
 * The shapes of the Kubernetes objects the cluster checks read (core/v1 Pod, status conditions), and
 * small accessors shared by the rules.
 *
 * @module
 */
import type { KubeObject } from '../clients/kube.js';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: unknown;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string };
  hostPath?: { path: string };
  [k: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: { running?: unknown; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

export interface PodStatus {
  phase?: string;
  startTime?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
}

export type Pod = KubeObject & { spec: PodSpec; status?: PodStatus };

export function conditions(o: KubeObject): Condition[] {
  return ((o['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? []).filter((c) => c && typeof c.type === 'string');
}

export function condition(o: KubeObject, type: string): Condition | undefined {
  return conditions(o).find((c) => c.type === type);
}

export const ref = (o: KubeObject): string => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

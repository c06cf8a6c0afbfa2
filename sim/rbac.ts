/**
 * RBAC as kube-apiserver's authorizer evaluates it, for the simulated API server: Roles and
 * ClusterRoles bound to the smoke identity by RoleBindings and ClusterRoleBindings, rules matched by
 * verb, API group, resource (`pods/exec` for a subresource, `*` and `*\/exec` wildcards) and
 * `resourceNames` (a rule with names matches only a request for one of them, so a list never
 * matches it). RBAC only allows: what no rule grants is denied
 * (kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go, `RuleAllows`; pkg/apis/rbac/v1/evaluation_helpers.go).
 *
 * The objects come from sovereigns/rbac.yaml, so the simulator proves that file sufficient.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One rule of a Role or ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** A Role, ClusterRole, RoleBinding, ClusterRoleBinding or ServiceAccount, as in the YAML. */
export interface RbacObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: PolicyRule[];
  roleRef?: { apiGroup?: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string; apiGroup?: string }[];
}

/** What a request asks for (the authorizer's attributes). */
export interface AccessAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The label that tells the two sets of sovereigns/rbac.yaml apart. */
export const SET_LABEL = 'sovereign-smoke.openova.io/set';

/** sovereigns/rbac.yaml, parsed once. */
let fileObjects: RbacObject[] | undefined;

/** Path of the RBAC file the simulator loads. */
export const RBAC_FILE = resolve(import.meta.dirname, '..', 'sovereigns', 'rbac.yaml');

/** Every object of sovereigns/rbac.yaml (a fresh copy: scenarios may change it). */
export function rbacFileObjects(): RbacObject[] {
  fileObjects ??= parseAllDocuments(readFileSync(RBAC_FILE, 'utf8'))
    .map((d) => d.toJS() as RbacObject | null)
    .filter((o): o is RbacObject => !!o && typeof o === 'object' && typeof o.kind === 'string');
  return structuredClone(fileObjects);
}

/**
 * The objects of one set: `least-privilege` alone, or `deep` (least-privilege and the opt-in deep
 * objects, as `kubectl apply -f sovereigns/rbac.yaml` creates them).
 */
export function rbacSet(set: 'least-privilege' | 'deep'): RbacObject[] {
  return rbacFileObjects().filter((o) => set === 'deep' || o.metadata.labels?.[SET_LABEL] === 'least-privilege');
}

/** The ServiceAccount a `system:serviceaccount:NS:NAME` user is. */
function serviceAccountOf(user: string): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  return m ? { namespace: m[1] ?? '', name: m[2] ?? '' } : undefined;
}

function subjectMatches(s: { kind: string; name: string; namespace?: string }, user: string, bindingNamespace: string | undefined): boolean {
  const sa = serviceAccountOf(user);
  if (s.kind === 'ServiceAccount') return !!sa && s.name === sa.name && (s.namespace ?? bindingNamespace) === sa.namespace;
  if (s.kind === 'User') return s.name === user;
  if (s.kind === 'Group') return s.name === 'system:authenticated' || (!!sa && (s.name === 'system:serviceaccounts' || s.name === `system:serviceaccounts:${sa.namespace}`));
  return false;
}

/** Whether one rule allows the request (RuleAllows: verb, group, resource, name). */
export function ruleAllows(rule: PolicyRule, a: AccessAttributes): boolean {
  if (!rule.verbs.includes('*') && !rule.verbs.includes(a.verb)) return false;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  const resources = rule.resources ?? [];
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = resources.some((r) => r === '*' || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`));
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && a.name !== '' && names.includes(a.name));
}

/**
 * Whether `user` may do `a` under `objects`. A ClusterRoleBinding grants its ClusterRole everywhere;
 * a RoleBinding grants its Role (or a ClusterRole) in its own namespace only.
 */
export function rbacAllows(objects: RbacObject[], user: string, a: AccessAttributes): boolean {
  const role = (kind: string, name: string, namespace: string | undefined): RbacObject | undefined =>
    objects.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace));
  for (const b of objects) {
    if (b.kind !== 'ClusterRoleBinding' && b.kind !== 'RoleBinding') continue;
    if (!b.roleRef || !(b.subjects ?? []).some((s) => subjectMatches(s, user, b.metadata.namespace))) continue;
    if (b.kind === 'RoleBinding' && a.namespace !== b.metadata.namespace) continue;
    if (b.kind === 'ClusterRoleBinding' && b.roleRef.kind !== 'ClusterRole') continue;
    const r = role(b.roleRef.kind, b.roleRef.name, b.metadata.namespace);
    if ((r?.rules ?? []).some((rule) => ruleAllows(rule, a))) return true;
  }
  return false;
}

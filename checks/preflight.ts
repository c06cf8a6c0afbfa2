/**
 * preflight.kube-access: can the suite read the cluster at all, and with which permissions.
 *
 * The API server answers, the credentials authenticate, and the permissions the suite needs are
 * granted. Missing essential permissions fail it; a missing permission that only deepens a check is
 * reported with the depth that check runs at instead. Write access held is reported, exec into
 * catalyst-api among it.
 */
import { gatewaySecretName } from '../decisions/cluster-cert.js';
import { clusterGate } from '../decisions/cluster-gate.js';
import { failOnKubeError } from '../decisions/kube-read.js';
import { accessQuery, describePermission, EXEC_WRITE_EQUIVALENT, execAccess, neededPermissions, WRITE_PROBES } from '../decisions/permissions.js';
import { fail, note, provenance, step } from '../report/check.js';
import { KUBE_CAUSES } from '../report/errors.js';
import { defineCheck } from './define.js';

export const kubeAccess = defineCheck({
  id: 'preflight.kube-access',
  title: 'the API server answers, the credentials authenticate and the permissions the suite needs are granted',
  tags: ['@cluster', '@preflight'],
  needs: [],
  causes: [...KUBE_CAUSES],
  decide: async ({ kube, config }) => {
    await step('the API server answers and accepts the credentials', async () => {
      const r = await kube.reachable();
      if (!r.ok) fail(r.causeId, `preflight: ${r.message}`);
      provenance('kube API server', `${kube.serverVersion ?? 'unknown version'} at ${kube.server ?? '?'}`);
    });

    const needed = neededPermissions(config, await gatewaySecretName(kube, config));
    const denied = await step('ask an access review for every permission the checks use', async () => {
      const answers = await Promise.all(
        needed.map(async (p) => {
          try {
            return await kube.can(p.verb, p.resource, accessQuery(p));
          } catch (err) {
            return failOnKubeError(err, `SelfSubjectAccessReview for ${describePermission(p)}`);
          }
        }),
      );
      return needed.filter((_, i) => !answers[i]);
    });
    await step('report the write access the identity holds', async () => {
      const writes: string[] = [];
      for (const w of WRITE_PROBES) {
        const ok = await kube.can(w.verb, w.resource, { ...(w.group ? { group: w.group } : {}), ...(w.namespace ? { namespace: w.namespace } : {}) }).catch(() => false);
        if (ok) writes.push(describePermission(w));
      }
      const exec = await execAccess(kube, config);
      if (exec.allowed) writes.push(EXEC_WRITE_EQUIVALENT.replace('{ns}', config.catalystNamespace));
      note('kube write access', writes.length ? `the smoke identity can write: ${writes.join('; ')} (the suite only reads; the least-privilege set of sovereigns/rbac.yaml is enough)` : 'none (read-only identity)');
      provenance('kube write access', writes.length ? writes.join('; ') : 'none');
    });
    const optionalDenied = denied.filter((p) => !p.essential);
    if (optionalDenied.length) {
      note('missing permissions', optionalDenied.map((p) => `${describePermission(p)} (needed by ${p.usedBy})`).join('; '));
      const reduced = [...new Set(optionalDenied.flatMap((p) => (p.without ? [p.without] : [])))];
      if (reduced.length) note('reduced depth', reduced.join('; '));
    }
    // The cluster checks run on the gate's verdict (decisions/cluster-gate.ts): when its access reviews
    // went unanswered, they fail "not decided … see preflight.kube-access", so this check must fail too
    // and say why, even if its own reviews were answered a moment later.
    const gate = await clusterGate(kube, config);
    if (!gate.ok && gate.cause) fail(gate.cause, `preflight: ${gate.message}`);
    const essentialDenied = denied.filter((p) => p.essential);
    if (essentialDenied.length) {
      fail(
        'kube-forbidden',
        `preflight: the kubeconfig identity at ${kube.server ?? '?'} authenticates but lacks ${essentialDenied.length} permission(s) every cluster check needs:\n` +
          essentialDenied.map((p) => `  - ${describePermission(p)} (for ${p.usedBy})`).join('\n') +
          (optionalDenied.length ? `\nalso missing (the named checks run at a reduced depth or are skipped): ${optionalDenied.map((p) => describePermission(p)).join('; ')}` : '') +
          `\ncheck with \`kubectl auth can-i --list -n ${config.catalystNamespace}\`; sovereigns/rbac.yaml holds a least-privilege set`,
      );
    }
  },
});

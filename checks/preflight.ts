/** preflight.kube-access: can the suite read the cluster at all, and with which permissions. */
import { checkKubeAccess } from '../decisions/cluster-checks.js';
import { defineCheck } from './define.js';

export const kubeAccess = defineCheck({
  id: 'preflight.kube-access',
  title: 'the API server answers, the credentials authenticate and the permissions the suite needs are granted',
  tags: ['@cluster', '@preflight'],
  needs: [],
  causes: ['kube-forbidden', 'kube-not-configured', 'kube-unauthenticated', 'kube-unreachable'],
  decide: ({ kube, config }) => checkKubeAccess({ kube, config }),
});

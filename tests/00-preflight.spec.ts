/**
 * The gate of the cluster checks: when the API server cannot be read, this is the one red line; the
 * cluster checks see the same gate (decisions/cluster-checks.ts `clusterGate`) and skip, naming it.
 * It asks for exactly what the checks read (Secrets by name), reports the depth each check will run at
 * when a deep permission is missing, and reports exec into catalyst-api as write-equivalent.
 */
import { test } from '../fixtures/index.js';
import { checkKubeAccess } from '../decisions/cluster-checks.js';

test(
  'preflight.kube-access: the API server answers, the credentials authenticate and the permissions the suite needs are granted',
  { tag: ['@cluster', '@preflight'] },
  async ({ kube, config }) => {
    await checkKubeAccess({ kube, config });
  },
);

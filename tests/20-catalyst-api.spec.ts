/**
 * catalyst-api as it really runs: available, with the right SOVEREIGN_FQDN in its process
 * environment (incident 1), the handover public key in place, and its state on a PVC (incident 3).
 */
import { test } from '../fixtures/index.js';
import { checkCatalystApiAvailable, checkHandoverKey, checkSovereignFqdn, checkStateOnPvc } from '../decisions/cluster-checks.js';

test('catalyst-api.sovereign-fqdn: every running catalyst-api Pod has SOVEREIGN_FQDN=<fqdn> in its process environment', { tag: ['@cluster'] }, async ({ kube, net, config }) => {
  // Read inside the Pod (exec) when permitted: the Pod spec only shows a valueFrom reference. Without
  // exec: GET /api/v1/sovereign/self and the ConfigMap and container start times (checks[].evidence).
  await checkSovereignFqdn({ kube, net, config });
});

test('catalyst-api.handover-key: Secret catalyst-handover-jwt-public holds an RSA public JWK, is mounted into catalyst-api and matches the signing key', { tag: ['@cluster'] }, async ({ kube, config, handover }) => {
  // Reads the Secret when permitted; otherwise the Pod spec's mount and /auth/handover's answer to a control token.
  await checkHandoverKey({ kube, config, handover });
});

test('catalyst-api.state-on-pvc: /var/lib/catalyst and every CATALYST_*_DIR/_WORKDIR path are on a Bound PersistentVolumeClaim', { tag: ['@cluster'] }, async ({ kube, config }) => {
  await checkStateOnPvc({ kube, config });
});

// Last in this file: it reaches the console (/readyz), which may be what is broken.
test('catalyst-api.available: Deployment catalyst-api is available, its Pods are Ready and GET /readyz on the console answers 200', { tag: ['@cluster'] }, async ({ kube, net, config }) => {
  await checkCatalystApiAvailable({ kube, net, config });
});

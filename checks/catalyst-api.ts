/**
 * catalyst-api as it really runs: available, with the right SOVEREIGN_FQDN in its process environment
 * (incident 1), the handover public key in place, and its state on a PVC (incident 3).
 */
import { checkCatalystApiAvailable, checkHandoverKey, checkSovereignFqdn, checkStateOnPvc } from '../decisions/cluster-checks.js';
import { defineCheck } from './define.js';

/**
 * Read inside the Pod (exec) when permitted: the Pod spec only shows a valueFrom reference. Without
 * exec: GET /api/v1/sovereign/self and the ConfigMap and container start times (checks[].evidence).
 */
export const sovereignFqdn = defineCheck({
  id: 'catalyst-api.sovereign-fqdn',
  title: 'every running catalyst-api Pod has SOVEREIGN_FQDN=<fqdn> in its process environment',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    'catalyst-api-unavailable', 'exec-forbidden', 'kube-forbidden', 'kube-not-configured',
    'kube-unauthenticated', 'kube-unreachable', 'permission-limited', 'pod-env-unreadable', 'preflight-failed',
    'sovereign-fqdn',
  ],
  decide: ({ kube, net, config }) => checkSovereignFqdn({ kube, net, config }),
});

/** Reads the Secret when permitted; otherwise the Pod spec's mount and /auth/handover's answer to a control token. */
export const handoverKey = defineCheck({
  id: 'catalyst-api.handover-key',
  title: 'Secret catalyst-handover-jwt-public holds an RSA public JWK, is mounted into catalyst-api and matches the signing key',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    'catalyst-api-unavailable', 'console-unexpected-response', 'console-unreachable', 'console-unresponsive',
    'handover-key-mismatch', 'handover-key-missing', 'kube-forbidden', 'kube-not-configured',
    'kube-unauthenticated', 'kube-unreachable', 'owner-unknown', 'preflight-failed', 'sovereign-fqdn',
  ],
  decide: ({ kube, config, handover }) => checkHandoverKey({ kube, config, handover }),
});

export const stateOnPvc = defineCheck({
  id: 'catalyst-api.state-on-pvc',
  title: '/var/lib/catalyst and every CATALYST_*_DIR/_WORKDIR path are on a Bound PersistentVolumeClaim',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    'catalyst-api-unavailable', 'kube-forbidden', 'kube-not-configured', 'kube-unauthenticated',
    'kube-unreachable', 'preflight-failed', 'state-on-emptydir',
  ],
  decide: ({ kube, config }) => checkStateOnPvc({ kube, config }),
});

/** Reaches the console (/readyz), which may be what is broken: its spec runs it last in its file. */
export const available = defineCheck({
  id: 'catalyst-api.available',
  title: 'Deployment catalyst-api is available, its Pods are Ready and GET /readyz on the console answers 200',
  tags: ['@cluster'],
  needs: ['cluster'],
  causes: [
    'catalyst-api-unavailable', 'cert-issuance-failed', 'cert-not-issued', 'console-unreachable',
    'console-unresponsive', 'dns-not-lb', 'dns-not-propagated', 'envoy-no-listener', 'hcloud-rate-limited',
    'hcloud-token-missing', 'hcloud-token-rejected', 'hcloud-unreachable', 'kube-forbidden',
    'kube-not-configured', 'kube-unauthenticated', 'kube-unreachable', 'lb-health-unknown', 'lb-no-targets',
    'lb-targets-unhealthy', 'preflight-failed', 'readyz-not-routed',
  ],
  decide: ({ kube, net, config }) => checkCatalystApiAvailable({ kube, net, config }),
});

/** The check ids of contract §3 (docs/contract.md), for self-tests. */
export const CONTRACT_CHECKS = [
  'preflight.kube-access', 'dns.console-to-lb', 'tls.handshake', 'tls.certificate', 'tls.matches-cluster', 'lb.targets', 'lb.health',
  'gitops.ready', 'catalyst-api.available', 'catalyst-api.sovereign-fqdn', 'catalyst-api.handover-key', 'catalyst-api.state-on-pvc',
  'keycloak.sa-roles', 'handover.login', 'handover.replay-rejected', 'handover.forged-rejected', 'handover.session-required',
  'cluster.nodes-ready', 'catalyst.workloads-ready',
  'routes.reachable',
];

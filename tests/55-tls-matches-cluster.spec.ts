/**
 * The served certificate is the one cert-manager wrote: envoy missing a renewed Secret keeps serving
 * an old certificate until it expires. The cluster's side is the Secret's tls.crt when the identity may
 * read it, else the current CertificateRequest's status.certificate (no private key; checks[].evidence).
 */
import { test } from '../fixtures/index.js';
import { requireCluster } from '../decisions/cluster-checks.js';

test('tls.matches-cluster: console.<fqdn> serves the leaf in the gateway\'s certificate Secret', { tag: ['@edge', '@cluster'] }, async ({ edge, kube, config }) => {
  await requireCluster(kube, config);
  await test.step('compare the served leaf with the certificate of the Secret the Gateway listener references', async () => {
    await edge.expectServedMatchesCluster();
  });
});

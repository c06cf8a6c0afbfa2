/** TLS on console.<fqdn>: the handshake, a trusted certificate for the name, and the leaf the cluster holds. */
import { step } from '../report/check.js';
import { EDGE_CAUSES } from './gate.js';
import { defineCheck } from './define.js';

export const handshake = defineCheck({
  id: 'tls.handshake',
  title: 'a TLS handshake with console.<fqdn>:443 completes within SMOKE_TIMEOUT',
  tags: ['@edge'],
  needs: [],
  causes: [...EDGE_CAUSES],
  decide: async ({ edge }) => {
    await step('handshake with console.<fqdn>:443', () => edge.expectHandshake());
  },
});

export const certificate = defineCheck({
  id: 'tls.certificate',
  title: 'console.<fqdn> serves a publicly trusted certificate for its name',
  tags: ['@edge'],
  needs: [],
  causes: [
    ...EDGE_CAUSES, 'tls-expiring', 'tls-name-mismatch', 'tls-staging-issuer', 'tls-untrusted',
  ],
  decide: ({ edge }) => step('verify chain, name, days to expiry and issuer of the served certificate', () => edge.expectTrustedCertificate()),
});

export const matchesCluster = defineCheck({
  id: 'tls.matches-cluster',
  title: 'console.<fqdn> serves the leaf in the gateway\'s certificate Secret',
  tags: ['@edge', '@cluster'],
  needs: ['cluster'],
  causes: [
    ...EDGE_CAUSES, 'gitops-missing', 'permission-limited', 'tls-cert-not-issued', 'tls-name-mismatch',
    'tls-stale-cert', 'tls-untrusted',
  ],
  decide: ({ edge }) => step('compare the served leaf with the certificate of the Secret the Gateway listener references', () => edge.expectServedMatchesCluster()),
});

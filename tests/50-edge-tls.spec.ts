/**
 * TLS on console.<fqdn>: the handshake completes (incident 3 failed here), and the certificate is
 * trusted, for this name, not about to expire and not from a staging issuer. A reset while the
 * gateway Certificate is still being issued is waited for within SMOKE_AWAIT; a reset with the
 * Certificate Ready and a load balancer without targets fails at once, naming it (rules:
 * decisions/converging.ts handshakeVerdict, decisions/certificate-state.ts).
 */
import { test } from '../fixtures/index.js';

test('tls.handshake: a TLS handshake with console.<fqdn>:443 completes within SMOKE_TIMEOUT', { tag: ['@edge'] }, async ({ edge }) => {
  await test.step('handshake with console.<fqdn>:443', async () => {
    await edge.expectHandshake();
  });
});

test('tls.certificate: console.<fqdn> serves a publicly trusted certificate for its name', { tag: ['@edge'] }, async ({ edge }) => {
  await test.step('verify chain, name, days to expiry and issuer of the served certificate', async () => {
    await edge.expectTrustedCertificate();
  });
});

/** TLS on console.<fqdn>: the handshake completes, and the certificate is trusted for the name. */
import { test } from '../fixtures/index.js';
import { certificate, handshake } from '../checks/tls.js';

test(handshake.testTitle, { tag: [...handshake.tags] }, ({ run }) => run(handshake));
test(certificate.testTitle, { tag: [...certificate.tags] }, ({ run }) => run(certificate));

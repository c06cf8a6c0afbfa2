/**
 * catalyst-api as it really runs: the right SOVEREIGN_FQDN in its process environment (incident 1),
 * the handover public key in place, its state on a PVC (incident 3), and available.
 */
import { test } from '../fixtures/index.js';
import { available, handoverKey, sovereignFqdn, stateOnPvc } from '../checks/catalyst-api.js';

test(sovereignFqdn.testTitle, { tag: [...sovereignFqdn.tags] }, ({ run }) => run(sovereignFqdn));
test(handoverKey.testTitle, { tag: [...handoverKey.tags] }, ({ run }) => run(handoverKey));
test(stateOnPvc.testTitle, { tag: [...stateOnPvc.tags] }, ({ run }) => run(stateOnPvc));
// Last in this file: it reaches the console (/readyz), which may be what is broken.
test(available.testTitle, { tag: [...available.tags] }, ({ run }) => run(available));

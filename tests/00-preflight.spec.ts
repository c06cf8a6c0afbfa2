/**
 * Preflight: before anything else, can the suite read the cluster? When it cannot, this is the one red
 * line, and the cluster checks skip naming it (checks/gate.ts), while the checks that need no cluster
 * (edge, login) run regardless.
 */
import { test } from '../fixtures/index.js';
import { kubeAccess } from '../checks/preflight.js';

test(kubeAccess.testTitle, { tag: [...kubeAccess.tags] }, ({ run }) => run(kubeAccess));

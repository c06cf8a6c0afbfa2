/** Keycloak: the service account handover uses holds the roles EnsureUser needs (incident 2). */
import { test } from '../fixtures/index.js';
import { saRoles } from '../checks/keycloak.js';

test(saRoles.testTitle, { tag: [...saRoles.tags] }, ({ run }) => run(saRoles));

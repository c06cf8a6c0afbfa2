// keycloak.sa-roles (issue 5; incident 2, otech62): the service account handover's EnsureUser uses
// must hold user-level realm-management roles, or every login fails with "keycloak error: ensure user".
import { fail, skipCheck, test } from '../fixtures/index.js';
import { requireCluster } from '../fixtures/cluster-checks.js';

test(
  'keycloak.sa-roles: the catalyst-api-server service account gets a token, holds the realm-management roles handover needs, and the user lookup answers 200',
  { tag: ['@cluster', '@auth'] },
  async ({ keycloak, kube, config }) => {
    // Without SMOKE_KC_SA_CLIENT_SECRET the credentials come from a cluster Secret.
    if (!config.kcSaClientSecret) await requireCluster(kube, config);
    const verdict = await test.step('client-credentials token, roles, and the lookup handover makes', () => keycloak.assessServiceAccount());
    if (verdict.skipped) skipCheck(verdict.causeId ?? 'sa-credentials-missing', verdict.message);
    if (!verdict.ok) fail(verdict.causeId ?? 'keycloak-sa-roles', verdict.message);
  },
);

/**
 * keycloak.sa-roles (issue 5; incident 2, otech62): the service account handover's EnsureUser uses must
 * hold user-level realm-management roles, or every login fails with "keycloak error: ensure user".
 *
 * Converging (issue 13): Keycloak starting (503), the realm not yet imported (404 "Realm does not
 * exist") and the Secret not yet mirrored into the catalyst namespace are waited for within
 * SMOKE_AWAIT; what is still missing then fails, naming it and since when.
 * Least privilege (issue 12): with no SMOKE_KC_SA_* and no Secret read, the roles are decided from the
 * realm import (reduced evidence, recorded); a Secret that does not exist is a finding, never a skip.
 */
import type { SecretLook } from '../clients/keycloak.js';
import { requireCluster } from '../decisions/cluster-gate.js';
import { awaitEdgeOf } from '../decisions/edge-checks.js';
import { evidence, fail, skipCheck, step } from '../report/check.js';
import { EDGE_CAUSES } from './gate.js';
import { defineCheck } from './define.js';

export const saRoles = defineCheck({
  id: 'keycloak.sa-roles',
  title: 'the catalyst-api-server service account gets a token, holds the realm-management roles handover needs, and the user lookup answers 200',
  tags: ['@cluster', '@auth'],
  needs: [],
  causes: [
    ...EDGE_CAUSES, 'keycloak-not-ready', 'keycloak-realm-missing', 'keycloak-sa-credentials-rejected',
    'keycloak-sa-roles', 'keycloak-unreachable', 'preflight-failed', 'sa-credentials-missing',
    'sa-secret-missing',
  ],
  async decide({ keycloak, kube, config, net }) {
    // auth.<fqdn> shares the console's load balancer and certificate: wait while they converge.
    await awaitEdgeOf({ config, kube, net }, config.keycloakUrl);
    const realm = await step('Keycloak serves the realm', () => keycloak.awaitRealm());
    if (realm) fail(realm.cause, realm.message);
    let looks: SecretLook[] | undefined;
    if (!config.kcSaClientSecret) {
      // Without SMOKE_KC_SA_CLIENT_SECRET the credentials come from a cluster Secret.
      await requireCluster(kube, config);
      const s = await step('Secret catalyst-kc-sa-credentials and its mirror', () => keycloak.awaitSecrets());
      if (s.absent) fail('sa-secret-missing', s.absent);
      looks = s.looks;
      if (looks.every((l) => l.state === 'forbidden')) {
        const verdict = await step('roles from the realm import (no Secret may be read)', () => keycloak.assessFromRealmImport());
        evidence(`no SMOKE_KC_SA_* and no get on Secret catalyst-kc-sa-credentials: decided from the realm import (ConfigMap keycloak/keycloak-sovereign-realm-config) and Keycloak serving realm ${config.keycloakRealm}; the service-account token and the user lookup were not exercised (handover.login exercises EnsureUser)`);
        if (verdict.skipped) skipCheck(verdict.causeId ?? 'sa-credentials-missing', verdict.message);
        if (!verdict.ok) fail(verdict.causeId ?? 'keycloak-sa-roles', verdict.message);
        return;
      }
    }
    const verdict = await step('client-credentials token, roles, and the lookup handover makes', async () => keycloak.assessServiceAccount(await keycloak.credentials(looks)));
    if (verdict.skipped) skipCheck(verdict.causeId ?? 'sa-credentials-missing', verdict.message);
    if (!verdict.ok) fail(verdict.causeId ?? 'keycloak-sa-roles', verdict.message);
  },
});

/**
 * Fidelity of the Keycloak fake, checked by a client nobody here wrote:
 * `@keycloak/keycloak-admin-client` (HTTP Basic client auth, `/users/` with a trailing slash).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import type { SimContext } from '../sim/context.js';
import { healthyWorld } from '../sim/healthy.js';
import { startKeycloak } from '../sim/keycloak.js';
import type { Pki } from '../sim/pki.js';
import { findScenario } from '../sim/scenarios/index.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function keycloakFor(scenario: string): Promise<{ ctx: SimContext; url: string; secret: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-kc-'));
  dirs.push(dir);
  const world = healthyWorld({ name: 'kc', dir });
  const secret = world.keycloak.realm.clients.find((c) => c.clientId === 'catalyst-api-server')?.secret ?? '';
  findScenario(scenario)?.apply(world);
  const ctx: SimContext = { world, pki: {} as Pki, requests: [], ports: {} };
  const server = await startKeycloak(ctx);
  ctx.ports.keycloak = server.port;
  return { ctx, url: `http://127.0.0.1:${server.port}`, secret, close: () => server.close() };
}

async function adminClient(url: string, secret: string): Promise<KcAdminClient> {
  const kc = new KcAdminClient({ baseUrl: url, realmName: 'sovereign' });
  await kc.auth({ grantType: 'client_credentials', clientId: 'catalyst-api-server', clientSecret: secret });
  return kc;
}

void describe('Keycloak fake with keycloak-admin-client', () => {
  void it('healthy: client_credentials (HTTP Basic), realms.findOne and users.find({email, exact}) answer', async () => {
    const kc = await keycloakFor('healthy');
    try {
      const admin = await adminClient(kc.url, kc.secret);
      const realm = await admin.realms.findOne({ realm: 'sovereign' });
      assert.equal(realm?.realm, 'sovereign');
      const users = await admin.users.find({ email: 'smoke@kc.sovereign.test', exact: true });
      assert.deepEqual(users, []);
      // The admin client sends client credentials as HTTP Basic and asks /users/ with a trailing slash.
      const paths = kc.ctx.requests.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
      assert.ok(paths.includes('POST /realms/sovereign/protocol/openid-connect/token 200'), paths.join('\n'));
      assert.ok(paths.includes('GET /admin/realms/sovereign/users/ 200'), paths.join('\n'));
    } finally {
      await kc.close();
    }
  });

  void it('healthy: the token carries the realm-management roles of users[].clientRoles', async () => {
    const kc = await keycloakFor('healthy');
    try {
      const admin = await adminClient(kc.url, kc.secret);
      const payload = JSON.parse(Buffer.from(String(admin.accessToken).split('.')[1] ?? '', 'base64url').toString()) as { resource_access?: Record<string, { roles: string[] }> };
      for (const r of ['impersonation', 'manage-users', 'view-users', 'query-users']) assert.ok(payload.resource_access?.['realm-management']?.roles.includes(r), r);
      // EnsureUser's create, group lookup and membership.
      const created = await admin.users.create({ email: 'op@kc.sovereign.test', username: 'op@kc.sovereign.test', enabled: true, emailVerified: true });
      const groups = await admin.groups.find({ search: 'sovereign-admins', exact: true });
      assert.equal(groups[0]?.name, 'sovereign-admins');
      await admin.users.addToGroup({ id: created.id, groupId: groups[0]?.id ?? '' });
      const found = await admin.users.find({ email: 'op@kc.sovereign.test', exact: true });
      assert.equal(found[0]?.id, created.id);
    } finally {
      await kc.close();
    }
  });

  void it('sa-roles-scope-mappings: the token has no realm-management roles and users.find is 403', async () => {
    const kc = await keycloakFor('sa-roles-scope-mappings');
    try {
      const admin = await adminClient(kc.url, kc.secret);
      await assert.rejects(admin.users.find({ email: 'smoke@kc.sovereign.test', exact: true }), (err: { response?: { status?: number }; responseData?: unknown }) => {
        assert.equal(err.response?.status, 403);
        assert.deepEqual(err.responseData, { error: 'HTTP 403 Forbidden' });
        return true;
      });
    } finally {
      await kc.close();
    }
  });

  void it('bad credentials: 401 unauthorized_client (form body and Basic alike)', async () => {
    const kc = await keycloakFor('healthy');
    try {
      await assert.rejects(adminClient(kc.url, 'wrong-secret'), (err: { response?: { status?: number }; responseData?: unknown }) => {
        assert.equal(err.response?.status, 401);
        assert.deepEqual(err.responseData, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' });
        return true;
      });
      const res = await fetch(`${kc.url}/realms/sovereign/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'catalyst-api-server', client_secret: kc.secret }).toString(),
      });
      assert.equal(res.status, 200);
    } finally {
      await kc.close();
    }
  });

  void it('sa-secret-mismatch: the Secret\'s client secret is refused', async () => {
    const kc = await keycloakFor('sa-secret-mismatch');
    try {
      await assert.rejects(adminClient(kc.url, kc.secret), (err: { response?: { status?: number } }) => err.response?.status === 401);
    } finally {
      await kc.close();
    }
  });
});

void describe('Keycloak fake converging (issue 13)', () => {
  void it('starting: 503 for everything; realm not imported: 404 "Realm does not exist" (public and token endpoint), admin 404', async () => {
    const kc = await keycloakFor('healthy');
    try {
      kc.ctx.world.keycloak.starting = true;
      assert.equal((await fetch(`${kc.url}/realms/sovereign`)).status, 503);
      kc.ctx.world.keycloak.starting = false;
      kc.ctx.world.keycloak.realmImported = false;
      const pub = await fetch(`${kc.url}/realms/sovereign`);
      assert.equal(pub.status, 404);
      assert.deepEqual(await pub.json(), { error: 'Realm does not exist', error_description: 'Realm does not exist' });
      await assert.rejects(adminClient(kc.url, kc.secret), (err: { response?: { status?: number } }) => err.response?.status === 404);
      kc.ctx.world.keycloak.realmImported = true;
      assert.equal((await fetch(`${kc.url}/realms/sovereign`)).status, 200);
      const admin = await adminClient(kc.url, kc.secret);
      assert.equal((await admin.realms.findOne({ realm: 'sovereign' }))?.realm, 'sovereign');
    } finally {
      await kc.close();
    }
  });
});

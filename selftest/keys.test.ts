/**
 * The simulator's RSA keys survive JWK export under garbage-collection pressure (sim/keys.ts), and
 * what it keeps between runs is its own (sim/machine-cache.ts).
 *
 * On Node 20.20 a KeyObject taken straight from `generateKeyPairSync('rsa')` and exported as a JWK
 * deadlocks the process when a collection frees the key-generation job mid-export: with a 1 MB young
 * generation the plain form hung within 100-300 keys in each of four tries (main thread in a futex
 * under `~KeyGenJob`, reached from `ExportJWKRsaKey`). In CI it once froze a simulator start, and with
 * it the whole self-test run, for 90 minutes. Keys re-read from PEM do not share the job's lock.
 */
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cachedPki, cachedRootCa, cachedSimKeys } from '../sim/machine-cache.js';
import { makeRootCa } from '../sim/pki.js';
import { runProcess } from './run.js';

const SCRIPT = `
import { rsaKeyPair } from './sim/keys.ts';
for (let i = 0; i < 600; i++) {
  const { publicKey, privateKey } = rsaKeyPair(512);
  for (let j = 0; j < 20; j++) { publicKey.export({ format: 'jwk' }); privateKey.export({ format: 'jwk' }); }
}
console.log('exported 600 keys');
`;

void describe('simulator keys', () => {
  void it('600 fresh RSA keys, each exported 40 times as a JWK with a 1 MB young generation, never deadlock', { timeout: 90_000 }, async () => {
    const r = await runProcess(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', '--input-type=module', '-e', SCRIPT], { env: process.env, deadlineMs: 60_000 });
    assert.equal(r.timedOut, false, `the export hung (killed after 60 s):${r.out}`);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /exported 600 keys/);
  });
});

void describe('what a simulator keeps between runs (sim/machine-cache.ts)', () => {
  const publicPem = (k: { publicKey: KeyObject }): string => k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let tmp: string;
  let saved: string | undefined;
  before(() => {
    saved = process.env['TMPDIR'];
    tmp = mkdtempSync(join(tmpdir(), 'kept-'));
    process.env['TMPDIR'] = tmp; // os.tmpdir() reads it at each call
  });
  after(() => {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
    rmSync(tmp, { recursive: true, force: true });
  });

  void it('keeps the keys and root CA in a 0700 directory of this user, and hands the same ones to the next start', async () => {
    const [keys, root] = await Promise.all([cachedSimKeys(), cachedRootCa()]);
    const dir = join(tmp, `sovereign-smoke-sim-${userInfo().uid}`);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'v1', 'mothership.pem')).mode & 0o777, 0o600);
    const [again, rootAgain] = await Promise.all([cachedSimKeys(), cachedRootCa()]);
    assert.equal(publicPem(again.mothership), publicPem(keys.mothership));
    assert.equal(publicPem(again.catalystSession), publicPem(keys.catalystSession));
    assert.notEqual(publicPem(keys.mothership), publicPem(keys.keycloakRealm), 'three distinct keys');
    assert.equal(rootAgain.certPem, root.certPem);
  });

  void it('makes again what is unusable, and keeps nothing in a directory others may write', async () => {
    const dir = join(tmp, `sovereign-smoke-sim-${userInfo().uid}`);
    const first = await cachedSimKeys();
    writeFileSync(join(dir, 'v1', 'keycloakRealm.pem'), 'not a key');
    const remade = await cachedSimKeys();
    assert.notEqual(publicPem(remade.keycloakRealm), publicPem(first.keycloakRealm));
    assert.equal(publicPem((await cachedSimKeys()).keycloakRealm), publicPem(remade.keycloakRealm), 'the new set is kept');
    chmodSync(dir, 0o777);
    try {
      const a = await cachedSimKeys();
      assert.notEqual(publicPem(a.mothership), publicPem(remade.mothership), 'a shared directory is not trusted: fresh keys');
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  void it('keeps the certificates below the root for a day, per root and per kind of PKI, each start with its own CA file', async () => {
    const root = await cachedRootCa();
    const startDir = (): string => mkdtempSync(join(tmp, 'start-'));
    const first = await cachedPki(root, startDir(), 'sim.sovereign.test', 'valid');
    const kept = readdirSync(join(tmp, `sovereign-smoke-sim-${userInfo().uid}`, 'v1')).filter((f) => f.startsWith('pki-'));
    assert.equal(kept.length, 1);
    const file = join(tmp, `sovereign-smoke-sim-${userInfo().uid}`, 'v1', kept[0] ?? '');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const dir = startDir();
    const again = await cachedPki(root, dir, 'sim.sovereign.test', 'valid');
    assert.equal(again.served.leafPem, first.served.leafPem, 'the next start serves the kept certificate');
    assert.equal(again.apiServer.keyPem, first.apiServer.keyPem);
    assert.equal(again.caFile, join(dir, 'pki', 'ca.crt'));
    assert.equal(readFileSync(again.caFile, 'utf8'), root.certPem);
    // Another kind of served certificate, or another root, is another PKI.
    const stale = await cachedPki(root, startDir(), 'sim.sovereign.test', 'stale');
    assert.notEqual(stale.served.leafPem, first.served.leafPem);
    const other = await cachedPki(await makeRootCa(), startDir(), 'sim.sovereign.test', 'valid');
    assert.notEqual(other.served.leafPem, first.served.leafPem);
    // A day old: made again (a scenario's dates stay right to the day).
    const record = JSON.parse(readFileSync(file, 'utf8')) as { madeAt: number };
    writeFileSync(file, JSON.stringify({ ...record, madeAt: Date.now() - 86_400_000 - 1 }));
    const remade = await cachedPki(root, startDir(), 'sim.sovereign.test', 'valid');
    assert.notEqual(remade.served.leafPem, first.served.leafPem);
    // A certificate kept with a key not its own, or a file that does not parse: made again.
    const fresh = JSON.parse(readFileSync(file, 'utf8')) as { madeAt: number; pki: { served: { keyPem: string }; apiServer: { keyPem: string } } };
    fresh.pki.served.keyPem = fresh.pki.apiServer.keyPem;
    writeFileSync(file, JSON.stringify(fresh));
    const rekeyed = await cachedPki(root, startDir(), 'sim.sovereign.test', 'valid');
    assert.notEqual(rekeyed.served.leafPem, remade.served.leafPem);
    writeFileSync(file, '{"madeAt": 0');
    assert.notEqual((await cachedPki(root, startDir(), 'sim.sovereign.test', 'valid')).served.leafPem, rekeyed.served.leafPem);
    assert.ok(existsSync(file));
    // A kept PKI a day old that no start asked for is removed when another is kept.
    const unused = join(tmp, `sovereign-smoke-sim-${userInfo().uid}`, 'v1', 'pki-00000000000000aa.json');
    writeFileSync(unused, '{}');
    utimesSync(unused, new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));
    await cachedPki(root, startDir(), 'other.sovereign.test', 'valid');
    assert.ok(!existsSync(unused), 'an unused PKI older than a day is pruned');
    assert.ok(existsSync(file), 'a fresh one stays');
  });
});

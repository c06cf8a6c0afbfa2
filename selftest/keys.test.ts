/**
 * The simulator's RSA keys survive JWK export under garbage-collection pressure (sim/keys.ts).
 *
 * On Node 20.20 a KeyObject taken straight from `generateKeyPairSync('rsa')` and exported as a JWK
 * deadlocks the process when a collection frees the key-generation job mid-export: with a 1 MB young
 * generation the plain form hung within 100-300 keys in each of four tries (main thread in a futex
 * under `~KeyGenJob`, reached from `ExportJWKRsaKey`). In CI it once froze a simulator start, and with
 * it the whole self-test run, for 90 minutes. Keys re-read from PEM do not share the job's lock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

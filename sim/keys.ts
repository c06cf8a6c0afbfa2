/**
 * RSA key pairs for the simulator, made so that exporting them cannot deadlock.
 *
 * On Node 20, a KeyObject straight from `generateKeyPair(Sync)` shares a lock with the key-generation
 * job that made it. If a garbage collection runs while such a key is being exported as a JWK (the
 * export holds the lock and allocates) and collects that job, the job's destructor waits for the same
 * lock: the process hangs for good, with the main thread in a futex. It happened once in about a
 * hundred simulator starts in CI. Keys re-read from PEM have a lock of their own.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A fresh RSA key pair whose KeyObjects share nothing with the job that generated them. */
export function rsaKeyPair(modulusLength = 2048): { privateKey: KeyObject; publicKey: KeyObject } {
  const pem = generateKeyPairSync('rsa', { modulusLength, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return { privateKey: createPrivateKey(pem.privateKey), publicKey: createPublicKey(pem.publicKey) };
}

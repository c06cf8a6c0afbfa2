/**
 * RSA key pairs for the simulator, made so that exporting them cannot deadlock, and made ahead.
 *
 * On Node 20, a KeyObject straight from `generateKeyPair(Sync)` shares a lock with the key-generation
 * job that made it. If a garbage collection runs while such a key is being exported as a JWK (the
 * export holds the lock and allocates) and collects that job, the job's destructor waits for the same
 * lock: the process hangs for good, with the main thread in a futex. It happened once in about a
 * hundred simulator starts in CI. Keys re-read from PEM have a lock of their own.
 *
 * A 2048-bit key takes 0.1-0.4 s of CPU. A simulator needs three (the mothership's handover signer,
 * Keycloak's realm key, catalyst-api's session signer). The first is needed at once; `startSim` has
 * the other two made on libuv's threads ({@link prepareKeys}) while the suite boots, so the first
 * checks that use them do not wait for them on the event loop.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const pool: RsaKeyPair[] = [];

function fromPem(pem: { publicKey: string; privateKey: string }): RsaKeyPair {
  return { privateKey: createPrivateKey(pem.privateKey), publicKey: createPublicKey(pem.publicKey) };
}

/** A fresh 2048-bit RSA key pair (one made ahead by {@link prepareKeys} when there is one). */
export function rsaKeyPair(modulusLength = 2048): RsaKeyPair {
  if (modulusLength === 2048) {
    const ready = pool.pop();
    if (ready) return ready;
  }
  return fromPem(generateKeyPairSync('rsa', { modulusLength, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }));
}

/** Makes `n` 2048-bit key pairs in parallel off the event loop, for the next `rsaKeyPair()` calls (a call before they are done makes its own). */
export async function prepareKeys(n: number): Promise<void> {
  const made = await Promise.all(
    Array.from({ length: Math.max(0, n - pool.length) }, () =>
      new Promise<RsaKeyPair>((done, fail) => {
        generateKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }, (err, publicKey, privateKey) => (err ? fail(err) : done(fromPem({ publicKey, privateKey }))));
      }),
    ),
  );
  pool.push(...made);
}

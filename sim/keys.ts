/**
 * RSA key pairs for the simulator, made ahead. Every key is made safe to export on Node 20 by
 * clients/keys.ts (re-read from PEM; a raw keygen KeyObject can deadlock a JWK export).
 *
 * A simulator needs three 2048-bit keys (the mothership's handover signer, Keycloak's realm key,
 * catalyst-api's session signer). The first is needed at once; `startSim` has the other two made on
 * libuv's threads ({@link prepareKeys}) while the suite boots, so the first checks that use them do
 * not wait for them on the event loop.
 *
 * @module
 */
import { rsaKeyPairAsync, rsaKeyPairSync, type RsaKeyPair } from '../clients/keys.js';

const pool: RsaKeyPair[] = [];

/**
 * The three key pairs of one simulator, by role: what {@link SimKeys} given to `startSim` fixes
 * instead of making them fresh (selftest/verdicts.ts starts dozens of simulators in one thread).
 */
export interface SimKeys {
  /** The mothership's handover signer (its public half in Secret catalyst-handover-jwt-public). */
  mothership: RsaKeyPair;
  /** Keycloak's realm signing key. */
  keycloakRealm: RsaKeyPair;
  /** catalyst-api's session signer. */
  catalystSession: RsaKeyPair;
}

/** Three distinct key pairs for {@link SimKeys}, made in parallel off the event loop. */
export async function makeSimKeys(): Promise<SimKeys> {
  const [mothership, keycloakRealm, catalystSession] = await Promise.all([rsaKeyPairAsync(), rsaKeyPairAsync(), rsaKeyPairAsync()]);
  if (!mothership || !keycloakRealm || !catalystSession) throw new Error('key generation returned nothing');
  return { mothership, keycloakRealm, catalystSession };
}

/** A fresh RSA key pair (one made ahead by {@link prepareKeys} when there is one). */
export function rsaKeyPair(modulusLength = 2048): RsaKeyPair {
  if (modulusLength === 2048) {
    const ready = pool.pop();
    if (ready) return ready;
  }
  return rsaKeyPairSync(modulusLength);
}

/** Makes `n` 2048-bit key pairs in parallel off the event loop, for the next `rsaKeyPair()` calls (a call before they are done makes its own). */
export async function prepareKeys(n: number): Promise<void> {
  pool.push(...(await Promise.all(Array.from({ length: Math.max(0, n - pool.length) }, () => rsaKeyPairAsync()))));
}

/**
 * The simulator's PKI, made at start (OWNER: edge). STUB: to be implemented.
 * @module
 */
import type { ServedCert } from './world.js';

export interface CertAndKey {
  /** Leaf first, then intermediates (what a server sends). */
  chainPem: string;
  leafPem: string;
  keyPem: string;
}

export interface Pki {
  /** The sim root CA (trusted through SMOKE_EXTRA_CA_FILE). */
  caPem: string;
  caFile: string;
  /** The certificate the gateway serves for console/auth.<fqdn>. */
  served: CertAndKey;
  /** The certificate in the cluster Secret the Gateway references (differs from `served` when stale). */
  clusterSecret: CertAndKey;
  /** The kube-apiserver's serving certificate for 127.0.0.1. */
  apiServer: CertAndKey;
}

export async function makePki(_dir: string, _fqdn: string, _served: ServedCert): Promise<Pki> {
  throw new Error('sim/pki.ts: not implemented yet');
}

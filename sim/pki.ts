/**
 * The simulator's PKI, made at start with the openssl CLI (EC P-256: fast). A root CA (trusted by the
 * suite through `SMOKE_EXTRA_CA_FILE`), an intermediate, and the leaves the fakes serve: the console
 * certificate in the form the scenario asks for ({@link ServedCert}), the one in the cluster Secret,
 * and the kube-apiserver's.
 *
 * The staging case chains to a separate root named like Let's Encrypt's staging root, which is NOT
 * in `caFile`, exactly as a certificate from `letsencrypt-dns01-staging` looks to a client.
 *
 * @example
 * const pki = await makePki(dir, 'sim.sovereign.test', 'valid');
 * https.createServer({ cert: pki.served.chainPem, key: pki.served.keyPem });
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServedCert } from './world.js';

const run = promisify(execFile);

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
  /** k3s's client CA and the admin client certificate it issued (only when the kubeconfig uses one). */
  kubeClient?: { caPem: string; cert: CertAndKey };
}

/** A root CA (certificate and key, PEM) that {@link makePki} can issue from instead of making its own. */
export interface RootCa {
  certPem: string;
  keyPem: string;
}

/** Subject of the client certificate in k3s's admin kubeconfig. */
export const KUBE_CLIENT_SUBJECT = '/O=system:masters/CN=system:admin';

/** Subjects, as the real issuers name themselves (the staging names are Let's Encrypt's). */
export const SIM_ROOT = '/O=Sovereign Sim/CN=Sovereign Sim Root CA';
export const SIM_INTERMEDIATE = '/O=Sovereign Sim/CN=Sovereign Sim Issuing CA R1';
export const STAGING_ROOT = "/C=US/O=(STAGING) Internet Security Research Group/CN=(STAGING) Pretend Pear X1";
export const STAGING_INTERMEDIATE = "/C=US/O=(STAGING) Let's Encrypt/CN=(STAGING) Counterfeit Cashew R10";
/**
 * A root of Let's Encrypt's second staging hierarchy (2025), which the suite does not ship: the name is
 * Let's Encrypt's, the key the simulator's (as for every staging name here: the real keys are not ours).
 */
export const STAGING_OTHER_ROOT = '/C=US/O=(STAGING) Internet Security Research Group/CN=(STAGING) Yearning Yucca Root YE';
export const STAGING_OTHER_INTERMEDIATE = "/C=US/O=(STAGING) Let's Encrypt/CN=(STAGING) Sim Staging Issuing CA YE1";

const CONFIG = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root_ext ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ int_ext ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_ext ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ client_ext ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid:always
`;

/** `openssl ca` settings (only the expired leaf needs them: `ca` is the one that can backdate). */
const caConfig = (db: string, newCerts: string, serial: string): string => `${CONFIG}
[ ca ]
default_ca = sim_ca
[ sim_ca ]
database = ${db}
new_certs_dir = ${newCerts}
serial = ${serial}
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = copy
email_in_dn = no
[ any_policy ]
commonName = supplied
organizationName = optional
`;

interface Issuer {
  cert: string; // path
  key: string; // path
  pem: string;
}

interface LeafSpec {
  name: string;
  cn: string;
  sans: string[];
  issuer: Issuer;
  /** Chain after the leaf (intermediates), or '' for a leaf-only chain. */
  chainTail: string;
  days?: number;
  /** Validity in the past, for an expired certificate (uses `openssl ca`, which can set dates). */
  expired?: boolean;
}

/**
 * Creates the PKI in `dir` (files under `dir/pki/`) and writes the CA bundle to `dir/pki/ca.crt`.
 * Takes a few hundred milliseconds: independent openssl runs go in parallel. With `opts.root`, the
 * sim root CA is that one (everything below it is still made new); by default a new one.
 */
export async function makePki(dir: string, fqdn: string, served: ServedCert, opts: { kubeClientCert?: boolean; root?: RootCa } = {}): Promise<Pki> {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true });
  const cnf = join(pkiDir, 'openssl.cnf');
  writeFileSync(cnf, CONFIG);
  const p = (f: string): string => join(pkiDir, f);

  const selfSigned = async (name: string, subject: string): Promise<Issuer> => {
    await run('openssl', ['req', '-x509', '-config', cnf, '-extensions', 'root_ext', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`), '-subj', subject, '-days', '3650', '-sha256']);
    return { cert: p(`${name}.crt`), key: p(`${name}.key`), pem: readFileSync(p(`${name}.crt`), 'utf8') };
  };
  const intermediate = async (name: string, subject: string, parent: Issuer): Promise<Issuer> => {
    await run('openssl', ['req', '-x509', '-config', cnf, '-extensions', 'int_ext', '-CA', parent.cert, '-CAkey', parent.key, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`), '-subj', subject, '-days', '1825', '-sha256']);
    return { cert: p(`${name}.crt`), key: p(`${name}.key`), pem: readFileSync(p(`${name}.crt`), 'utf8') };
  };
  const leaf = async (spec: LeafSpec): Promise<CertAndKey> => {
    const key = p(`${spec.name}.key`);
    const crt = p(`${spec.name}.crt`);
    const san = `subjectAltName=${spec.sans.map((s) => (/^[\d.]+$/.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',')}`;
    const subj = `/CN=${spec.cn}`;
    if (spec.expired) {
      // openssl 3.0's req/x509 cannot backdate; `openssl ca` can (-startdate/-enddate).
      const csr = p(`${spec.name}.csr`);
      const db = p(`${spec.name}.db`);
      const caCnf = p(`${spec.name}.cnf`);
      writeFileSync(db, '');
      writeFileSync(p(`${spec.name}.serial`), `${randomSerialHex()}\n`);
      writeFileSync(caCnf, caConfig(db, pkiDir, p(`${spec.name}.serial`)));
      await run('openssl', ['req', '-new', '-config', cnf, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', subj, '-addext', san]);
      const start = new Date(Date.now() - 100 * 86_400_000);
      const end = new Date(Date.now() - 10 * 86_400_000);
      await run('openssl', ['ca', '-batch', '-config', caCnf, '-extensions', 'leaf_ext', '-cert', spec.issuer.cert, '-keyfile', spec.issuer.key, '-in', csr, '-out', crt, '-notext', '-startdate', asn1Time(start), '-enddate', asn1Time(end)]);
    } else {
      await run('openssl', ['req', '-x509', '-config', cnf, '-extensions', 'leaf_ext', '-CA', spec.issuer.cert, '-CAkey', spec.issuer.key, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-subj', subj, '-addext', san, '-days', String(spec.days ?? 90), '-sha256']);
    }
    const leafPem = readFileSync(crt, 'utf8');
    return { leafPem, chainPem: leafPem + spec.chainTail, keyPem: readFileSync(key, 'utf8') };
  };

  const stagingNames = served === 'staging' ? [STAGING_ROOT, STAGING_INTERMEDIATE] : served === 'staging-other-root' ? [STAGING_OTHER_ROOT, STAGING_OTHER_INTERMEDIATE] : undefined;
  const given = (r: RootCa): Issuer => {
    writeFileSync(p('root.crt'), r.certPem);
    writeFileSync(p('root.key'), r.keyPem, { mode: 0o600 });
    return { cert: p('root.crt'), key: p('root.key'), pem: r.certPem };
  };
  const [root, stagingRoot] = await Promise.all([opts.root ? given(opts.root) : selfSigned('root', SIM_ROOT), stagingNames ? selfSigned('staging-root', stagingNames[0] ?? '') : undefined]);
  const [inter, stagingInter] = await Promise.all([intermediate('intermediate', SIM_INTERMEDIATE, root), stagingRoot ? intermediate('staging-intermediate', stagingNames?.[1] ?? '', stagingRoot) : undefined]);

  const wildcard = { cn: `*.${fqdn}`, sans: [`*.${fqdn}`, fqdn] };
  const good: LeafSpec = { name: 'wildcard', ...wildcard, issuer: inter, chainTail: inter.pem };
  const servedSpec = ((): LeafSpec | undefined => {
    switch (served) {
      case 'valid':
        return undefined; // same as the cluster Secret
      case 'expired':
        return { ...good, name: 'served-expired', expired: true };
      case 'expiring':
        return { ...good, name: 'served-expiring', days: 5 };
      case 'wrong-name': {
        const other = `old-${fqdn.split('.')[0] ?? 'x'}.${fqdn.split('.').slice(1).join('.') || 'test'}`;
        return { ...good, name: 'served-wrong-name', cn: `*.${other}`, sans: [`*.${other}`, other] };
      }
      case 'staging':
      case 'staging-other-root':
        if (!stagingInter) throw new Error('staging PKI missing');
        return { ...good, name: 'served-staging', issuer: stagingInter, chainTail: stagingInter.pem };
      case 'leaf-only':
        return { ...good, name: 'served-leaf-only', chainTail: '' };
      case 'stale':
        return { ...good, name: 'served-stale', days: 60 };
    }
  })();

  const kubeClient = async (): Promise<Pki['kubeClient']> => {
    // k3s signs client certificates with its own client CA (k3s-client-ca@<time>), not the server CA.
    const ca = await selfSigned('k3s-client-ca', `/CN=k3s-client-ca@${Math.floor(Date.now() / 1000)}`);
    const key = p('kube-client.key');
    const crt = p('kube-client.crt');
    await run('openssl', ['req', '-x509', '-config', cnf, '-extensions', 'client_ext', '-CA', ca.cert, '-CAkey', ca.key, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-subj', KUBE_CLIENT_SUBJECT, '-days', '365', '-sha256']);
    const leafPem = readFileSync(crt, 'utf8');
    return { caPem: ca.pem, cert: { leafPem, chainPem: leafPem, keyPem: readFileSync(key, 'utf8') } };
  };

  const [clusterSecret, servedCert, apiServer, client] = await Promise.all([
    leaf(good),
    servedSpec ? leaf(servedSpec) : undefined,
    leaf({ name: 'apiserver', cn: 'k3s', sans: ['127.0.0.1', 'localhost', 'kubernetes.default.svc'], issuer: inter, chainTail: inter.pem, days: 365 }),
    opts.kubeClientCert ? kubeClient() : undefined,
  ]);

  // The cluster Secret holds what cert-manager issued; for every served kind except 'stale' the
  // gateway serves what the Secret holds (a cert-manager fault, an expired or staging cert, shows in
  // both). Only 'stale' serves a different certificate than the Secret.
  const secret = servedCert && served !== 'stale' ? servedCert : clusterSecret;
  const caFile = p('ca.crt');
  writeFileSync(caFile, root.pem);
  return { caPem: root.pem, caFile, served: servedCert ?? clusterSecret, clusterSecret: secret, apiServer, ...(client ? { kubeClient: client } : {}) };
}

/**
 * A sim root CA of its own (what {@link makePki} makes when given none), for callers that start many
 * simulators and want them all to chain to one root (selftest/verdicts.ts: one browser trust store).
 */
export async function makeRootCa(): Promise<RootCa> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-root-'));
  try {
    const cnf = join(dir, 'openssl.cnf');
    writeFileSync(cnf, CONFIG);
    await run('openssl', ['req', '-x509', '-config', cnf, '-extensions', 'root_ext', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'root.key'), '-out', join(dir, 'root.crt'), '-subj', SIM_ROOT, '-days', '3650', '-sha256']);
    return { certPem: readFileSync(join(dir, 'root.crt'), 'utf8'), keyPem: readFileSync(join(dir, 'root.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each distinct PKI made once, all under one root: for a caller that starts many simulators in one
 * process (selftest/verdicts.ts), where the openssl runs of every start would cost more than the
 * checks. A PKI is made per FQDN, served kind and client-certificate need, so a scenario's served
 * certificate is still the kind it asks for; the intermediate that a `leaf-only` gateway withholds is
 * that PKI's own, never sent by any other. Each simulator gets its own `caFile` in its own directory.
 */
export class PkiCache {
  private root: Promise<RootCa> | undefined;
  private readonly made = new Map<string, Promise<Pki>>();

  /** The one root every PKI of this cache chains to. */
  rootCa(): Promise<RootCa> {
    this.root ??= makeRootCa();
    return this.root;
  }

  /** The PKI {@link makePki} would make for these arguments, with its CA bundle written to `dir/pki/ca.crt`. */
  async pki(dir: string, fqdn: string, served: ServedCert, opts: { kubeClientCert?: boolean } = {}): Promise<Pki> {
    const key = JSON.stringify([fqdn, served, !!opts.kubeClientCert]);
    let made = this.made.get(key);
    if (!made) {
      made = this.rootCa().then(async (root) => {
        const tmp = mkdtempSync(join(tmpdir(), 'sim-pki-'));
        try {
          return await makePki(tmp, fqdn, served, { ...opts, root });
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      });
      this.made.set(key, made);
      made.catch(() => this.made.delete(key));
    }
    return withCaFile(dir, await made);
  }
}

/** `pki` with its CA bundle written to `dir/pki/ca.crt` (where {@link makePki} writes it): a start's own copy of a PKI made once. */
export function withCaFile(dir: string, pki: Pki): Pki {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true });
  const caFile = join(pkiDir, 'ca.crt');
  writeFileSync(caFile, pki.caPem);
  return { ...pki, caFile };
}

function randomSerialHex(): string {
  return `1${randomBytes(8).toString('hex')}0`;
}

/** `YYMMDDHHMMSSZ`, as `openssl ca -startdate` takes it. */
function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

/**
 * What a simulator may keep between runs on one machine: its three RSA key pairs, its root CA, and
 * for a day the certificates below that root (the intermediate, the gateway's and the API server's).
 * Making them is most of a simulator's start (three 2048-bit RSA keys take 0.3–1 s of CPU on 2 cores,
 * each certificate an openssl run: four runs, 0.25 s on the CLI's path to the hand-over), and it lands
 * in the window where the suite's own process loads, so the embedded default run pays for it twice.
 * They are a simulated Sovereign's keys, never a real one's. Certificates are kept at most a day, so a
 * scenario's dates (an expiring or a stale certificate) stay what it asks for, to the day.
 *
 * The cache is a directory of this user's own (`$TMPDIR/sovereign-smoke-sim-<uid>`, mode 0700). A
 * file that is missing, unreadable or not what it should be is made again; two simulators starting
 * at once may both make them, and the last rename wins (each uses what it made).
 *
 * @module
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { makeSimKeys, type SimKeys } from './keys.js';
import { makePki, makeRootCa, withCaFile, type CertAndKey, type Pki, type RootCa } from './pki.js';
import type { ServedCert } from './world.js';

/** Bumped when what is kept changes shape. */
const VERSION = 'v1';
const ROLES = ['mothership', 'keycloakRealm', 'catalystSession'] as const;

/** The cache directory, made if missing; undefined when it is not this user's alone. */
function cacheDir(): string | undefined {
  const uid = userInfo().uid;
  const dir = join(tmpdir(), `sovereign-smoke-sim-${uid}`, VERSION);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const s = statSync(join(dir, '..'));
    if (s.uid !== uid || (s.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * What `read` finds in the cache directory, or else what `make` makes, which `keep` then writes there.
 * `read` throws (or returns undefined) for anything missing or unusable; a cache that cannot be written
 * costs the next start the making again, nothing more.
 */
async function keptOrMade<T>(read: (dir: string) => T | undefined, make: () => Promise<T>, keep: (dir: string, made: T) => void): Promise<T> {
  const dir = cacheDir();
  if (dir) {
    try {
      const found = read(dir);
      if (found) return found;
    } catch {
      // missing or unusable: made again below
    }
  }
  const made = await make();
  if (dir) {
    try {
      keep(dir, made);
    } catch {
      // not kept
    }
  }
  return made;
}

/** The simulator's three key pairs, from the cache or made (and kept) now. */
export function cachedSimKeys(): Promise<SimKeys> {
  return keptOrMade(
    (dir) => {
      const [mothership, keycloakRealm, catalystSession] = ROLES.map((role) => {
        const privateKey = createPrivateKey(readFileSync(join(dir, `${role}.pem`), 'utf8'));
        if (privateKey.asymmetricKeyType !== 'rsa' || privateKey.asymmetricKeyDetails?.modulusLength !== 2048) throw new Error(`${role}: not an RSA 2048 key`);
        return { privateKey, publicKey: createPublicKey(privateKey) };
      });
      return mothership && keycloakRealm && catalystSession ? { mothership, keycloakRealm, catalystSession } : undefined;
    },
    makeSimKeys,
    (dir, keys) => {
      for (const role of ROLES) writeAtomically(join(dir, `${role}.pem`), keys[role].privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    },
  );
}

/** The simulator's root CA, from the cache (valid for another year at least) or made (and kept) now. */
export function cachedRootCa(): Promise<RootCa> {
  return keptOrMade(
    (dir) => {
      const certPem = readFileSync(join(dir, 'root.crt'), 'utf8');
      const keyPem = readFileSync(join(dir, 'root.key'), 'utf8');
      const cert = new X509Certificate(certPem);
      return cert.ca && cert.checkPrivateKey(createPrivateKey(keyPem)) && Date.parse(cert.validTo) > Date.now() + 365 * 86_400_000 ? { certPem, keyPem } : undefined;
    },
    makeRootCa,
    (dir, root) => {
      writeAtomically(join(dir, 'root.key'), root.keyPem);
      writeAtomically(join(dir, 'root.crt'), root.certPem);
    },
  );
}

/** How long certificates below the root are kept: a scenario's dates stay right to the day. */
const PKI_KEPT_MS = 86_400_000;

/** Removes kept PKIs older than a day (of FQDNs and kinds no start asked for since): they would not be used. */
function pruneOldPkis(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (!/^pki-[0-9a-f]+\.json$/.test(f)) continue;
    try {
      if (Date.now() - statSync(join(dir, f)).mtimeMs > PKI_KEPT_MS) rmSync(join(dir, f), { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

/** Whether a kept certificate and its key still parse and belong together, and the chain starts with the leaf. */
function usable(c: CertAndKey): boolean {
  return new X509Certificate(c.leafPem).checkPrivateKey(createPrivateKey(c.keyPem)) && c.chainPem.startsWith(c.leafPem);
}

/**
 * The PKI {@link makePki} makes under `root` for these arguments, kept for a day (keyed by the root's
 * fingerprint and the arguments), with its CA bundle written to `dir/pki/ca.crt` as makePki writes it.
 */
export async function cachedPki(root: RootCa, dir: string, fqdn: string, served: ServedCert, opts: { kubeClientCert?: boolean } = {}): Promise<Pki> {
  const id = createHash('sha256').update(JSON.stringify([new X509Certificate(root.certPem).fingerprint256, fqdn, served, !!opts.kubeClientCert])).digest('hex').slice(0, 16);
  const file = (d: string): string => join(d, `pki-${id}.json`);
  const pki = await keptOrMade(
    (d) => {
      const kept = JSON.parse(readFileSync(file(d), 'utf8')) as { madeAt: number; pki: Pki };
      const age = Date.now() - kept.madeAt;
      if (!(age >= 0 && age < PKI_KEPT_MS) || kept.pki.caPem !== root.certPem) return undefined;
      const certs = [kept.pki.served, kept.pki.clusterSecret, kept.pki.apiServer, ...(kept.pki.kubeClient ? [kept.pki.kubeClient.cert] : [])];
      if (!!kept.pki.kubeClient !== !!opts.kubeClientCert || !certs.every(usable)) return undefined;
      return kept.pki;
    },
    () => makePki(dir, fqdn, served, { ...opts, root }),
    (d, p) => {
      writeAtomically(file(d), JSON.stringify({ madeAt: Date.now(), pki: { ...p, caFile: '' } }));
      pruneOldPkis(d);
    },
  );
  // A kept PKI gets this start's CA file (one just made has it already: the same file again).
  return withCaFile(dir, pki);
}

/**
 * SMOKE_ALLOW_STAGING_CERT holds in every layer alike (issue 14): the trust set of undici's
 * connector, the TLS probe and Chromium's NSS database holds Let's Encrypt's staging roots iff the
 * flag is set, and the shipped roots are the real ones (a real staging intermediate verifies).
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type SovereignConfig } from '../clients/config.js';
import { nssHome } from '../clients/nss.js';
import { trustedCas } from '../clients/net.js';
import { bundleSubjects, extraTrustPem, STAGING_ROOTS, stagingRootsPem } from '../clients/trust.js';

/** (STAGING) Artificial Apricot R3, as Let's Encrypt issued it under Pretend Pear X1 (notAfter 2025-09-15). */
const ARTIFICIAL_APRICOT_R3 = `-----BEGIN CERTIFICATE-----
MIIFWzCCA0OgAwIBAgIQTfQrldHumzpMLrM7jRBd1jANBgkqhkiG9w0BAQsFADBm
MQswCQYDVQQGEwJVUzEzMDEGA1UEChMqKFNUQUdJTkcpIEludGVybmV0IFNlY3Vy
aXR5IFJlc2VhcmNoIEdyb3VwMSIwIAYDVQQDExkoU1RBR0lORykgUHJldGVuZCBQ
ZWFyIFgxMB4XDTIwMDkwNDAwMDAwMFoXDTI1MDkxNTE2MDAwMFowWTELMAkGA1UE
BhMCVVMxIDAeBgNVBAoTFyhTVEFHSU5HKSBMZXQncyBFbmNyeXB0MSgwJgYDVQQD
Ex8oU1RBR0lORykgQXJ0aWZpY2lhbCBBcHJpY290IFIzMIIBIjANBgkqhkiG9w0B
AQEFAAOCAQ8AMIIBCgKCAQEAu6TR8+74b46mOE1FUwBrvxzEYLck3iasmKrcQkb+
gy/z9Jy7QNIAl0B9pVKp4YU76JwxF5DOZZhi7vK7SbCkK6FbHlyU5BiDYIxbbfvO
L/jVGqdsSjNaJQTg3C3XrJja/HA4WCFEMVoT2wDZm8ABC1N+IQe7Q6FEqc8NwmTS
nmmRQm4TQvr06DP+zgFK/MNubxWWDSbSKKTH5im5j2fZfg+j/tM1bGaczFWw8/lS
nukyn5J2L+NJYnclzkXoh9nMFnyPmVbfyDPOc4Y25aTzVoeBKXa/cZ5MM+WddjdL
biWvm19f1sYn1aRaAIrkppv7kkn83vcth8XCG39qC2ZvaQIDAQABo4IBEDCCAQww
DgYDVR0PAQH/BAQDAgGGMB0GA1UdJQQWMBQGCCsGAQUFBwMCBggrBgEFBQcDATAS
BgNVHRMBAf8ECDAGAQH/AgEAMB0GA1UdDgQWBBTecnpI3zHDplDfn4Uj31c3S10u
ZTAfBgNVHSMEGDAWgBS182Xy/rAKkh/7PH3zRKCsYyXDFDA2BggrBgEFBQcBAQQq
MCgwJgYIKwYBBQUHMAKGGmh0dHA6Ly9zdGcteDEuaS5sZW5jci5vcmcvMCsGA1Ud
HwQkMCIwIKAeoByGGmh0dHA6Ly9zdGcteDEuYy5sZW5jci5vcmcvMCIGA1UdIAQb
MBkwCAYGZ4EMAQIBMA0GCysGAQQBgt8TAQEBMA0GCSqGSIb3DQEBCwUAA4ICAQCN
DLam9yN0EFxxn/3p+ruWO6n/9goCAM5PT6cC6fkjMs4uas6UGXJjr5j7PoTQf3C1
vuxiIGRJC6qxV7yc6U0X+w0Mj85sHI5DnQVWN5+D1er7mp13JJA0xbAbHa3Rlczn
y2Q82XKui8WHuWra0gb2KLpfboYj1Ghgkhr3gau83pC/WQ8HfkwcvSwhIYqTqxoZ
Uq8HIf3M82qS9aKOZE0CEmSyR1zZqQxJUT7emOUapkUN9poJ9zGc+FgRZvdro0XB
yphWXDaqMYph0DxW/10ig5j4xmmNDjCRmqIKsKoWA52wBTKKXK1na2ty/lW5dhtA
xkz5rVZFd4sgS4J0O+zm6d5GRkWsNJ4knotGXl8vtS3X40KXeb3A5+/3p0qaD215
Xq8oSNORfB2oI1kQuyEAJ5xvPTdfwRlyRG3lFYodrRg6poUBD/8fNTXMtzydpRgy
zUQZh/18F6B/iW6cbiRN9r2Hkh05Om+q0/6w0DdZe+8YrNpfhSObr/1eVZbKGMIY
qKmyZbBNu5ysENIK5MPc14mUeKmFjpN840VR5zunoU52lqpLDua/qIM8idk86xGW
xx2ml43DO/Ya/tVZVok0mO0TUjzJIfPqyvr455IsIut4RlCR9Iq0EDTve2/ZwCuG
hSjpTUFGSiQrR2JK2Evp+o6AETUkBCO1aw0PpQBPDQ==
-----END CERTIFICATE-----
`;

const config = (env: Record<string, string>): SovereignConfig => {
  const r = loadConfig({ SOVEREIGN_FQDN: 'otech64.omani.works', ...env });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
};
const STAGING_CNS = STAGING_ROOTS.map((r) => r.cn);
const hasStaging = (pems: string[]): boolean[] => STAGING_CNS.map((cn) => pems.some((p) => bundleSubjects(p).includes(cn)));

void describe('staging roots', () => {
  void it('are the published ones: pinned fingerprints, self-signed, and the parent of a real staging intermediate', () => {
    const certs = (stagingRootsPem().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
    assert.deepEqual(certs.map((c) => c.fingerprint256), STAGING_ROOTS.map((r) => r.sha256));
    for (const c of certs) assert.ok(c.checkIssued(c) && c.verify(c.publicKey), `${c.subject} is self-signed`);
    const r3 = new X509Certificate(ARTIFICIAL_APRICOT_R3);
    assert.ok(certs[0] && r3.checkIssued(certs[0]) && r3.verify(certs[0].publicKey), 'Artificial Apricot R3 is signed by the shipped Pretend Pear X1');
  });

  void it('undici and the TLS probe trust them iff SMOKE_ALLOW_STAGING_CERT=true', () => {
    assert.deepEqual(hasStaging(trustedCas(config({}))), [false, false]);
    assert.deepEqual(hasStaging(trustedCas(config({ SMOKE_ALLOW_STAGING_CERT: 'false' }))), [false, false]);
    assert.deepEqual(hasStaging(trustedCas(config({ SMOKE_ALLOW_STAGING_CERT: 'true' }))), [true, true]);
    assert.equal(extraTrustPem(config({})), undefined, 'nothing extra by default');
  });

  void it('SMOKE_EXTRA_CA_FILE stays trusted beside them', () => {
    const file = join(import.meta.dirname, '..', 'clients', 'ca', 'letsencrypt-stg-root-x2.pem');
    assert.deepEqual(bundleSubjects(extraTrustPem(config({ SMOKE_EXTRA_CA_FILE: file }))), ['(STAGING) Bogus Broccoli X2']);
    assert.deepEqual(bundleSubjects(extraTrustPem(config({ SMOKE_EXTRA_CA_FILE: file, SMOKE_ALLOW_STAGING_CERT: 'true' }))), ['(STAGING) Bogus Broccoli X2', ...STAGING_CNS]);
  });

  void it('Chromium\'s NSS database holds them iff the flag is set', { skip: !hasCertutil() && 'certutil not installed' }, async () => {
    for (const [flag, want] of [['true', true], ['false', false]] as const) {
      const home = await nssHome(extraTrustPem(config({ SMOKE_ALLOW_STAGING_CERT: flag })));
      try {
        let listed = '';
        try {
          listed = execFileSync('certutil', ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`], { encoding: 'utf8' });
        } catch {
          listed = ''; // no database: nothing trusted beyond the system
        }
        const subjects = want ? [0, 1].map((i) => execFileSync('certutil', ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`, '-n', `smoke-extra-ca-${i}`], { encoding: 'utf8' })) : [];
        assert.equal(/smoke-extra-ca-/.test(listed), want, listed);
        for (const cn of want ? STAGING_CNS : []) assert.ok(subjects.some((s) => s.includes(cn)), `NSS holds ${cn}`);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }
  });
});

function hasCertutil(): boolean {
  try {
    execFileSync('certutil', ['-H'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

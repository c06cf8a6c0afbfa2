/**
 * What is wrong with a served certificate: every failing property (staging issuer, expiry, name,
 * trust), the most specific cause first. Pure: tls.certificate, routes.reachable and the self-tests
 * call it with a probe (clients/tls.ts).
 *
 * @module
 */
import type { CauseId } from '../report/causes.js';
import type { SovereignConfig } from '../clients/config.js';
import { daysLeft, isStagingName, type CertInfo, type TlsProbeResult } from '../clients/tls.js';
import { isShippedStagingRoot, STAGING_ROOTS } from '../clients/trust.js';

/** One problem of the served certificate, with the cause it points at. */
export interface CertProblem {
  cause: CauseId;
  text: string;
}

/** A certificate in one line: `CN=*.x (serial 0A1B…, issuer CN, notAfter 2026-07-01)`. */
export function describeCert(c: CertInfo): string {
  return `${c.subjectCN} (serial ${c.serial}, issuer "${c.issuerCN}", notAfter ${c.validTo.toISOString().slice(0, 10)})`;
}

/** Every failing property of a served certificate, most specific cause first. Empty when it is fine. */
export function certificateProblems(probe: TlsProbeResult, opts: Pick<SovereignConfig, 'certMinDays' | 'allowStagingCert'>, now = Date.now()): CertProblem[] {
  const problems: CertProblem[] = [];
  const leaf = probe.chain[0];
  if (!leaf) return [{ cause: 'tls-untrusted', text: 'the server presented no certificate' }];
  // CA names only: a leaf for console.x.staging.example.com is not a staging certificate.
  const staging = probe.chain.find((c, i) => isStagingName(c.issuer) || (i > 0 && isStagingName(c.subject)));
  if (staging && !opts.allowStagingCert) {
    problems.push({ cause: 'tls-staging-issuer', text: `staging issuer: the chain goes to "${staging.issuerCN}" (a staging CA no client trusts); SMOKE_ALLOW_STAGING_CERT is false` });
  }
  const days = daysLeft(leaf, now);
  if (leaf.validTo.getTime() <= now) {
    problems.push({ cause: 'tls-expiring', text: `expired: notAfter ${leaf.validTo.toISOString()} was ${-days} day(s) ago` });
  } else if (days < opts.certMinDays) {
    problems.push({ cause: 'tls-expiring', text: `expires in ${days} day(s) (notAfter ${leaf.validTo.toISOString()}), fewer than SMOKE_CERT_MIN_DAYS=${opts.certMinDays}` });
  } else if (leaf.validFrom.getTime() > now) {
    problems.push({ cause: 'tls-untrusted', text: `not yet valid: notBefore ${leaf.validFrom.toISOString()}` });
  }
  if (probe.verify.nameCode) {
    problems.push({ cause: 'tls-name-mismatch', text: `name mismatch: the certificate's names [${leaf.sans.join(', ') || `CN=${leaf.subjectCN}`}] do not cover ${probe.host} (${probe.verify.nameCode})` });
  }
  const code = probe.verify.chainCode;
  const dateCodes = ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'];
  const stagingCodes = ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'];
  if (code && staging && opts.allowStagingCert && !dateCodes.includes(code)) {
    // Allowed, yet not trusted: the chain goes to a staging root other than the two shipped ones
    // (Let's Encrypt's 2025 hierarchy, YE/YR) or is incomplete. The staging chain is the finding, not
    // the network: every layer trusts the same set (clients/trust.ts), so undici and Chromium fail too.
    const top = probe.chain.at(-1) ?? leaf;
    const shipped = STAGING_ROOTS.map((r) => `"${r.cn}"`).join(' and ');
    problems.push({
      cause: 'tls-staging-issuer',
      text: isShippedStagingRoot(top.issuerCN)
        ? `staging chain not trusted: SMOKE_ALLOW_STAGING_CERT=true trusts Let's Encrypt's staging roots ${shipped}; the chain ends at "${top.subjectCN}", which names "${top.issuerCN}" as its issuer but does not verify against the shipped root of that name (${code}): it was not issued by Let's Encrypt's staging CA`
        : `staging chain not trusted: SMOKE_ALLOW_STAGING_CERT=true trusts Let's Encrypt's staging roots ${shipped}, but the chain ends at "${top.subjectCN}" issued by "${top.issuerCN}" (${code}); add that root's PEM to SMOKE_EXTRA_CA_FILE (https://letsencrypt.org/docs/staging-environment/)`,
    });
  } else if (code && !dateCodes.includes(code) && !(staging && stagingCodes.includes(code))) {
    const top = probe.chain.at(-1) ?? leaf;
    if (probe.chain.length === 1 && !leaf.selfSigned) {
      problems.push({ cause: 'tls-untrusted', text: `incomplete chain: the server sent only the leaf, without the intermediate "${leaf.issuerCN}" (${code})` });
    } else {
      problems.push({ cause: 'tls-untrusted', text: `untrusted: ${code} (${probe.verify.reason ?? 'verification failed'}); the chain ends at "${top.subjectCN}" issued by "${top.issuerCN}", which is not a trusted root` });
    }
  }
  const order: CauseId[] = ['tls-staging-issuer', 'tls-expiring', 'tls-name-mismatch', 'tls-untrusted'];
  return problems.sort((a, b) => order.indexOf(a.cause) - order.indexOf(b.cause));
}

/**
 * Chromium's trust on Linux: a private HOME whose NSS database trusts what the suite trusts on top of
 * the system roots. Plain child processes (certutil), no Playwright: checks/context.ts starts making it
 * before Playwright's library loads, so the two overlap.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Splits a PEM bundle into its certificates. */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Creates a private HOME whose NSS database trusts `extraCaPem` (how Chromium on Linux trusts a CA).
 * The caller passes clients/trust.ts `extraTrustPem`: `SMOKE_EXTRA_CA_FILE` plus, with
 * `SMOKE_ALLOW_STAGING_CERT`, the shipped staging roots, so the browser trusts what undici and the
 * TLS probe trust.
 */
export async function nssHome(extraCaPem: string | undefined): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'smoke-chromium-'));
  if (!extraCaPem) return home;
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  // One shell runs every certutil step, beside the event loop and independent of it: the database is
  // made while this process is busy (loading Playwright's library), and the checks' requests in flight
  // meanwhile are read on time.
  const files = pemCertificates(extraCaPem).map((cert, i) => {
    const file = join(home, `extra-ca-${i}.pem`);
    writeFileSync(file, `${cert}\n`);
    return file;
  });
  const script = 'db="$1"; shift; certutil -N -d "sql:$db" --empty-password || exit $?; i=0; for f in "$@"; do certutil -A -d "sql:$db" -t "C,," -n "smoke-extra-ca-$i" -i "$f" || exit $?; i=$((i+1)); done';
  try {
    await new Promise<void>((done, fail) => {
      execFile('sh', ['-c', script, 'sh', db, ...files], (err, _stdout, stderr) => (err ? fail(Object.assign(err, { stderr })) : done()));
    });
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    const missing = (err as { code?: unknown }).code === 127;
    throw new Error(missing ? 'certutil is not installed (apt-get install libnss3-tools), so the browser cannot trust SMOKE_EXTRA_CA_FILE' : `certutil could not import SMOKE_EXTRA_CA_FILE: ${String((err as { stderr?: string }).stderr || err)}`, { cause: err });
  }
  return home;
}


/**
 * How catalyst-api.handover-key (checks/catalyst-api.ts) decides.
 *
 * catalyst-api.handover-key: Secret catalyst-handover-jwt-public key public.jwk is an RSA public JWK,
 * catalyst-api mounts it where it reads the key from, and it matches the configured signing key.
 * Without get on that Secret: the mount from the Pod spec, and what /auth/handover answers a control
 * token ({@link keyProofFromAnswer}) in place of reading the key.
 *
 * @module
 */
import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { catalystDeployment, catalystPods, containerOf, DEPLOYMENT, literalEnv, mountFor, podSpecs } from '../decisions/catalyst-pods.js';
import { keyProofFromAnswer, PUBLIC_KEY_DEFAULT } from '../decisions/handover-key.js';
import { failOnKubeError } from '../decisions/kube-read.js';
import { HANDOVER_SECRET, secretReadable } from '../decisions/permissions.js';
import { evidence, fail, note, provenance, step } from '../report/check.js';
import type { CheckContext } from './define.js';

/** catalyst-api.handover-key's `decide`. */
export async function decideHandoverKey({ kube, config, handover }: CheckContext): Promise<void> {
  const ns = config.catalystNamespace;
  const readable = await secretReadable(kube, ns, HANDOVER_SECRET);
  let jwk: Record<string, unknown> | undefined;
  let bits = 0;
  if (readable) {
    let data: Record<string, string> | undefined;
    try {
      data = await kube.readSecret(ns, HANDOVER_SECRET);
    } catch (err) {
      failOnKubeError(err, `reading Secret ${ns}/${HANDOVER_SECRET}`);
    }
    if (!data) fail('handover-key-missing', `Secret ${ns}/${HANDOVER_SECRET} does not exist: catalyst-api cannot verify any handover token (401 server misconfiguration: public key unavailable)`);
    const text = data['public.jwk'];
    if (!text?.trim()) fail('handover-key-missing', `Secret ${ns}/${HANDOVER_SECRET} has no key public.jwk (keys: ${Object.keys(data).join(', ') || 'none'})`);
    try {
      jwk = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return fail('handover-key-missing', `Secret ${ns}/${HANDOVER_SECRET} key public.jwk is not JSON (expected {"kty":"RSA","n":…,"e":…})`);
    }
    if (jwk['kty'] !== 'RSA' || typeof jwk['n'] !== 'string' || typeof jwk['e'] !== 'string') {
      fail('handover-key-missing', `Secret ${ns}/${HANDOVER_SECRET} key public.jwk is not an RSA public JWK: kty=${JSON.stringify(jwk['kty'])}, n ${typeof jwk['n'] === 'string' ? 'present' : 'missing'}, e ${typeof jwk['e'] === 'string' ? 'present' : 'missing'}`);
    }
    if ('d' in jwk) fail('handover-key-missing', `Secret ${ns}/${HANDOVER_SECRET} key public.jwk holds a PRIVATE key (it has "d"): replace it with the public half and rotate the signing key`);
    try {
      bits = createPublicKey({ key: { kty: 'RSA', n: jwk['n'], e: jwk['e'] } as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength ?? 0;
    } catch {
      fail('handover-key-missing', `Secret ${ns}/${HANDOVER_SECRET} key public.jwk does not load as an RSA public key (bad n or e)`);
    }
    provenance('handover public.jwk sha256', createHash('sha256').update(text).digest('hex').slice(0, 16));
  }

  // Mounted where catalyst-api reads it.
  const deploy = await catalystDeployment(kube, config);
  const pods = await catalystPods(kube, config, deploy);
  const specs = podSpecs(pods, deploy);
  if (specs.length === 0) fail('catalyst-api-unavailable', `neither Deployment ${ns}/${DEPLOYMENT} nor catalyst-api Pods exist, so the key mount cannot be checked`);
  const mountProblems: string[] = [];
  for (const { what, spec } of specs) {
    const c = containerOf(spec);
    if (!c) continue;
    const path = literalEnv(c, 'CATALYST_HANDOVER_JWT_PUBLIC_PATH') || literalEnv(c, 'CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH') || PUBLIC_KEY_DEFAULT;
    const m = mountFor(spec, c, path);
    if (!m) {
      mountProblems.push(`${what}: nothing is mounted at ${path} (CATALYST_HANDOVER_JWT_PUBLIC_KEY_PATH)`);
      continue;
    }
    const secretName = m.volume?.secret?.secretName;
    if (secretName !== HANDOVER_SECRET) {
      mountProblems.push(`${what}: ${path} comes from ${secretName ? `Secret ${secretName}` : `volume ${m.volume?.name ?? '?'} (${Object.keys(m.volume ?? {}).filter((k) => k !== 'name').join(', ') || 'unknown'})`}, not Secret ${HANDOVER_SECRET}`);
      continue;
    }
    const key = m.subPath ?? m.volume?.secret?.items?.find((i) => i.path === m.rel)?.key ?? (m.volume?.secret?.items ? undefined : m.rel);
    if (key !== 'public.jwk') mountProblems.push(`${what}: ${path} maps to key ${key ?? '(not projected)'} of Secret ${HANDOVER_SECRET}, not public.jwk`);
  }
  if (mountProblems.length) fail('handover-key-missing', `the handover public key is not where catalyst-api reads it:\n${mountProblems.map((p) => `  - ${p}`).join('\n')}`);

  if (!jwk) {
    // Least privilege: the key is proven by what catalyst-api does with it, not read.
    evidence(`no get on Secret ${ns}/${HANDOVER_SECRET}: public.jwk was not read; the mount (Secret ${HANDOVER_SECRET} key public.jwk) was checked in the Pod spec`);
    const where = `GET ${handover.consoleOrigin}/auth/handover with a control token`;
    const answer = await step('send /auth/handover a control token', async () => handover.exchange(await handover.mintVariant(config.handoverKey ? 'control-role' : 'foreign-key')));
    const proof = keyProofFromAnswer(answer, !!config.handoverKey, where);
    if (!proof.ok) fail(proof.cause, proof.message);
    evidence(proof.evidence);
    return;
  }
  if (!config.handoverKey) {
    note('not compared', 'no signing key configured (SMOKE_HANDOVER_KEY_FILE): public.jwk was not compared with the mothership key');
    return;
  }
  const mine = config.handoverKey.publicKey.export({ format: 'jwk' });
  if (mine.n !== jwk['n'] || mine.e !== jwk['e']) {
    const fp = (n: unknown): string => createHash('sha256').update(String(n)).digest('hex').slice(0, 12);
    fail('handover-key-mismatch', `Secret ${ns}/${HANDOVER_SECRET} public.jwk (RSA ${bits} bits, modulus sha256 ${fp(jwk['n'])}) is not the public half of the signing key ${config.handoverKey.source} (modulus sha256 ${fp(mine.n)}): every handover will be 401 invalid token`);
  }
}

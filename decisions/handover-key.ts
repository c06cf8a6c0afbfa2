/**
 * catalyst-api.handover-key's rules (checks/handover-key.ts observes): where catalyst-api reads the
 * handover public key, and what /auth/handover's answer to a control token proves about it.
 *
 * @module
 */
import type { CauseId } from '../report/causes.js';

export const PUBLIC_KEY_DEFAULT = '/etc/catalyst/handover-jwt-public/public.jwk';

/** What a control token sent to /auth/handover proves about the key catalyst-api verifies with. */
export type KeyProof = { ok: true; evidence: string } | { ok: false; cause: CauseId; message: string };

/**
 * Reads /auth/handover's answer to a control token (handover.forged-rejected's `control-role` with a
 * signing key, a throwaway-signed token without one). The checks run in order and the first failure
 * answers (internal/handler/auth_handover.go, shared/sovereign.md §1.3): check 2 loads the public key
 * ("server misconfiguration: public key unavailable"), check 3 verifies the signature ("invalid
 * token"). Any later answer means the mounted key loaded and, for the real key, verified it. Neither
 * token reaches the jti store (check 10), so nothing is recorded on the Sovereign.
 */
export function keyProofFromAnswer(answer: { status: number; error?: string; body?: string }, withSigningKey: boolean, where: string): KeyProof {
  const seen = `${answer.status}${answer.error ? ` "${answer.error}"` : ''}`;
  if (answer.status === 401 && answer.error === 'server misconfiguration: public key unavailable') {
    return { ok: false, cause: 'handover-key-missing', message: `${where}: 401 "server misconfiguration: public key unavailable": catalyst-api has no loadable public key (Secret catalyst-handover-jwt-public missing, without public.jwk, or malformed), so every handover fails` };
  }
  if (answer.status >= 500) return { ok: false, cause: 'catalyst-api-unavailable', message: `${where}: ${seen}; expected a 401 from catalyst-api` };
  if (answer.status !== 401 && !(answer.status >= 200 && answer.status < 400)) return { ok: false, cause: 'console-unexpected-response', message: `${where}: ${seen}; expected a 401 JSON answer from catalyst-api` };
  if (withSigningKey) {
    if (answer.status === 401 && (answer.error === 'invalid token' || answer.error === undefined)) {
      return { ok: false, cause: 'handover-key-mismatch', message: `${where}: ${seen}: the control token, signed by the configured signing key, failed signature verification (check 3), so the public key catalyst-api mounts is not the signing key's public half` };
    }
    return { ok: true, evidence: `a control token signed by the configured key (role not sovereign-admin) got ${seen} from /auth/handover: past the signature check (3), so the key catalyst-api loaded verifies the signing key` };
  }
  return { ok: true, evidence: `no signing key configured: a token signed by a throwaway key got ${seen} from /auth/handover: past the key load (check 2), so catalyst-api has a public key; it was not compared with the mothership's` };
}

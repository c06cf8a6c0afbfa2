// The handover endpoint's refusals (issue 6), called directly with Accept: application/json.
// (handover.replay-rejected is in 70-handover-login.spec.ts: it replays the login's own token.)
import { test } from '../fixtures/index.js';
import type { TokenVariant } from '../clients/tokens.js';
import { awaitConsoleEdge } from '../decisions/edge-checks.js';

test('handover.forged-rejected: tokens signed by a foreign key, for another audience, or expired are refused (401)', { tag: ['@auth'] }, async ({ handover, config, kube, net }) => {
  await awaitConsoleEdge({ config, kube, net });
  const variants: TokenVariant[] = handover.forgedVariants();
  const answers = [];
  for (const variant of variants) {
    answers.push({ variant, answer: await test.step(`${variant} token`, async () => handover.exchange(await handover.mintVariant(variant))) });
  }
  await handover.expectForgedRefused(answers);
});

test('handover.session-required: GET /api/v1/whoami without a session answers 401', { tag: ['@auth'] }, async ({ handover, config, kube, net }) => {
  await awaitConsoleEdge({ config, kube, net });
  handover.expectUnauthenticated(await handover.whoamiWithoutSession());
});

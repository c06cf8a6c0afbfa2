/** The handover endpoint's refusals: forged tokens, and no session. */
import { test } from '../fixtures/index.js';
import { forgedRejected, sessionRequired } from '../checks/handover.js';

test(forgedRejected.testTitle, { tag: [...forgedRejected.tags] }, ({ run }) => run(forgedRejected));
test(sessionRequired.testTitle, { tag: [...sessionRequired.tags] }, ({ run }) => run(sessionRequired));

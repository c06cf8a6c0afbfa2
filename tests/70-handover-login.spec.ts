/**
 * The login, in a real browser, as the Sovereign's owner; then the login's own token replayed. The two
 * run in order in one worker, so a run mints one valid token and opens one session.
 */
import { test } from '../fixtures/index.js';
import { login, replayRejected } from '../checks/handover.js';

test.describe.configure({ mode: 'default' });

test(login.testTitle, { tag: [...login.tags] }, ({ run }) => run(login));
test(replayRejected.testTitle, { tag: [...replayRejected.tags] }, ({ run }) => run(replayRejected));

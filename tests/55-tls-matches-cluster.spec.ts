/** The certificate served is the one the cluster holds for the gateway listener. */
import { test } from '../fixtures/index.js';
import { matchesCluster } from '../checks/tls.js';

test(matchesCluster.testTitle, { tag: [...matchesCluster.tags] }, ({ run }) => run(matchesCluster));

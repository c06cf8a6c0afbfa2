/** Flux converged: the Kustomizations, every bp-* HelmRelease and the gateway Certificate are Ready. */
import { test } from '../fixtures/index.js';
import { gitopsReady } from '../checks/gitops.js';

test(gitopsReady.testTitle, { tag: [...gitopsReady.tags] }, ({ run }) => run(gitopsReady));

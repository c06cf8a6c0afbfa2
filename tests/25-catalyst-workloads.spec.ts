/** The Catalyst control plane's workloads: every Deployment, StatefulSet and DaemonSet ready. */
import { test } from '../fixtures/index.js';
import { workloadsReady } from '../checks/workloads.js';

test(workloadsReady.testTitle, { tag: [...workloadsReady.tags] }, ({ run }) => run(workloadsReady));

/** The nodes: every one Ready and schedulable, the control plane among them. */
import { test } from '../fixtures/index.js';
import { nodesReady } from '../checks/nodes.js';

test(nodesReady.testTitle, { tag: [...nodesReady.tags] }, ({ run }) => run(nodesReady));

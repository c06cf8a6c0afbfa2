/** The Hetzner load balancer in front of the console: targets, and their health (incident 3). */
import { test } from '../fixtures/index.js';
import { lbHealth, lbTargets } from '../checks/lb.js';

test(lbTargets.testTitle, { tag: [...lbTargets.tags] }, ({ run }) => run(lbTargets));
test(lbHealth.testTitle, { tag: [...lbHealth.tags] }, ({ run }) => run(lbHealth));

/** Every public host the gateway routes answers through the load balancer. */
import { test } from '../fixtures/index.js';
import { routesReachable } from '../checks/routes.js';

test(routesReachable.testTitle, { tag: [...routesReachable.tags] }, ({ run }) => run(routesReachable));

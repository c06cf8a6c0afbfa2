/** DNS: console.<fqdn> points at this Sovereign's load balancer. */
import { test } from '../fixtures/index.js';
import { consoleToLb } from '../checks/dns.js';

test(consoleToLb.testTitle, { tag: [...consoleToLb.tags] }, ({ run }) => run(consoleToLb));

/**
 * The check ids of contract §3 (docs/contract.md), for self-tests: the registry's (checks/index.ts).
 * selftest/registry.test.ts holds the contract's table to exactly these ids.
 */
import { CHECK_IDS, type CheckId } from '../checks/index.js';

export const CONTRACT_CHECKS: readonly CheckId[] = CHECK_IDS;

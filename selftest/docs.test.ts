/**
 * Docs are in sync with the code: the README's scenario table is generated from sim/scenarios, and
 * every check id of the contract is documented.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readmeWithTable } from '../scripts/scenario-table.js';
import { CONTRACT_CHECKS } from './contract.js';

const ROOT = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('docs', () => {
  it('README opens with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(firstBlock, /^scripts\/smoke\b/m);
    assert.match(firstBlock, /^scripts\/test\b/m);
  });
  it('README scenario table is generated from sim/scenarios (run scripts/scenario-table.ts --write)', () => {
    assert.equal(readme, readmeWithTable(readme));
  });
  it('README documents every check of the contract', () => {
    for (const id of CONTRACT_CHECKS) assert.ok(readme.includes(`\`${id}\``), id);
  });
});

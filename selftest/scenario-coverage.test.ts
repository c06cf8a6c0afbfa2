/**
 * No scenario dropped: every scenario of sim/scenarios is judged by the in-process matrix (exactly
 * once, over its shards), and every scenario the end-to-end matrix keeps is a real one, with a reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { E2E_SCENARIOS } from './matrix.js';
import { VERDICT_SHARDS, verdictScenarios } from './verdicts.js';

void describe('scenario coverage', () => {
  void it('the in-process matrix judges every scenario exactly once', () => {
    const judged = Array.from({ length: VERDICT_SHARDS }, (_, i) => verdictScenarios(i + 1).map((s) => s.name)).flat();
    assert.deepEqual([...judged].sort(), SCENARIOS.map((s) => s.name).sort());
  });

  void it('the end-to-end matrix names real scenarios, each with what only it proves', () => {
    const names = new Set(SCENARIOS.map((s) => s.name));
    for (const [name, reason] of Object.entries(E2E_SCENARIOS)) {
      assert.ok(names.has(name), `E2E_SCENARIOS names ${name}, which is no scenario`);
      assert.ok(reason.length > 20, `${name}: say what only the end-to-end run proves`);
    }
    assert.ok(Object.hasOwn(E2E_SCENARIOS, 'healthy'), 'healthy runs end to end');
  });
});

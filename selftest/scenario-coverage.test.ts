/**
 * No scenario dropped: every scenario of sim/scenarios is judged by the in-process matrix (exactly
 * once, over its shards), and every scenario the end-to-end matrix keeps is a real one, with a reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { E2E_SCENARIOS } from './matrix.js';
import { AUTH_SCENARIOS, VERDICT_SHARDS, verdictScenarios } from './verdicts.js';

void describe('scenario coverage', () => {
  void it('the in-process matrix judges every scenario exactly once', () => {
    const judged = Array.from({ length: VERDICT_SHARDS }, (_, i) => verdictScenarios(i + 1).map((s) => s.name)).flat();
    assert.deepEqual([...judged].sort(), SCENARIOS.map((s) => s.name).sort());
  });

  void it('the end-to-end matrix names real scenarios, each with what only it proves', () => {
    const names = new Set(SCENARIOS.map((s) => s.name));
    for (const [name, { why, engines }] of Object.entries(E2E_SCENARIOS)) {
      assert.ok(names.has(name), `E2E_SCENARIOS names ${name}, which is no scenario`);
      assert.ok(why.length > 20, `${name}: say what only the end-to-end run proves`);
      assert.ok(engines.length > 0, `${name}: runs with no engine`);
    }
    // Both engines judge the baseline and a many-red run end to end: their verdicts must agree.
    for (const name of AUTH_SCENARIOS) assert.ok(names.has(name), `AUTH_SCENARIOS names ${name}, which is no scenario`);
    for (const name of ['healthy', 'lb-no-targets']) assert.deepEqual([...(E2E_SCENARIOS[name]?.engines ?? [])].sort(), ['direct', 'playwright'], `${name} runs through both engines`);
  });
});

/**
 * The scenario matrix: for every simulator scenario, the whole suite (the real CLI, the real browser)
 * must exit with the right code, fail exactly the expected checks, and name the scenario's root cause
 * in every failing check. The expectations live beside the scenarios (sim/scenarios/) and are
 * rendered into the README by scripts/scenario-table.ts.
 *
 * SMOKE_MATRIX=name1,name2 limits the run to those scenarios.
 *
 * The matrix is split into shards, one test file each (selftest/matrix-<n>.test.ts): every test file
 * has its own 10-minute deadline (scripts/test), and the whole matrix runs longer than that.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { runSmoke } from './run.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, '.tmp', `matrix-${process.pid}`);
const only = process.env['SMOKE_MATRIX']?.split(',').filter(Boolean);

/** The number of matrix shards (selftest/matrix-1.test.ts … matrix-<MATRIX_SHARDS>.test.ts). */
export const MATRIX_SHARDS = 3;

/** Registers the scenarios of shard `shard` (1-based): every MATRIX_SHARDS-th scenario. */
export function matrixShard(shard: number): void {
  const selected = SCENARIOS.filter((s, i) => (!only || only.includes(s.name)) && i % MATRIX_SHARDS === shard - 1);
  describe(`scenario matrix (shard ${shard} of ${MATRIX_SHARDS}): every fault is caught and named`, { concurrency: 2 }, () => {
  after(() => rmSync(OUT, { recursive: true, force: true }));
  for (const scenario of selected) {
    it(`${scenario.name}: ${scenario.expect.failing.length ? `fails ${scenario.expect.failing.join(', ')} naming ${scenario.expect.cause}` : 'every check passes'}`, async () => {
      const report = join(OUT, scenario.name);
      // Two runs at once on 2 cores: two workers each keeps every run within its timeouts.
      const r = await runSmoke(['--sim', scenario.name, '--report-dir', report], { SMOKE_WORKERS: '2', ...scenario.expect.env });
      const tail = `\n--- stdout (tail)\n${r.stdout.split('\n').slice(-40).join('\n')}\n--- stderr (tail)\n${r.stderr.split('\n').slice(-20).join('\n')}`;
      assert.ok(r.summary, `no summary.json${tail}`);
      const failing = r.summary.checks.filter((c) => c.status === 'failed').map((c) => c.id).sort();
      assert.deepEqual(failing, [...scenario.expect.failing].sort(), `failing checks differ${tail}`);
      assert.equal(r.status, scenario.expect.failing.length ? 1 : 0, `exit code${tail}`);
      for (const c of r.summary.checks.filter((x) => x.status === 'failed')) {
        assert.equal(c.causeId, scenario.expect.cause, `${c.id} names cause ${c.causeId ?? 'none'} (${c.message ?? ''})`);
        assert.ok(c.message && c.cause, `${c.id} lacks message or cause`);
      }
      const closing = r.stdout.trim().split('\n').at(-1) ?? '';
      assert.match(closing, /^\d+ passed, \d+ failed, \d+ skipped$/);
      if (!scenario.expect.failing.length || scenario.expect.skipped) {
        const skipped = r.summary.checks.filter((c) => c.status === 'skipped');
        assert.deepEqual(skipped.map((c) => c.id).sort(), [...(scenario.expect.skipped ?? [])].sort(), `skipped checks differ: ${skipped.map((c) => `${c.id}: ${c.message ?? ''}`).join('; ')}`);
      }
      for (const want of scenario.expect.sideEffects ?? []) {
        const effects = (r.summary as { sideEffects?: string[] }).sideEffects ?? [];
        assert.ok(effects.some((e) => e.includes(want)), `no side effect mentions "${want}": ${JSON.stringify(effects)}`);
      }
    });
  }
});
}

/**
 * The in-process scenario matrix: for EVERY simulator scenario, the simulator is started in this
 * process, the configuration loaded from its environment (plus the scenario's `expect.env`, as the CLI
 * matrix passes it), and every check of the registry judged with `judgeChecks` (checks/runner.ts), no
 * Playwright Test, no CLI. It asserts what selftest/matrix.ts asserts through the CLI: exactly the
 * expected failing checks, each linked to the scenario's root cause, the skipped set where the matrix
 * asserts it, the side effects; and, beyond it, that every verdict's own cause is one its check
 * declares (`causes` in checks/*.ts).
 *
 * The end-to-end matrix (selftest/matrix.ts) keeps, through the real CLI and browser, only the
 * scenarios whose verdict needs that path to be proven (E2E_SCENARIOS there).
 *
 * SMOKE_MATRIX=name1,name2 limits the run to those scenarios. Split into shards, one test file each
 * (selftest/verdicts-<n>.test.ts), so each file stays well within its deadline.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../clients/config.js';
import { createContext } from '../checks/context.js';
import { CHECKS } from '../checks/index.js';
import { judgeChecks, type JudgedVerdict } from '../checks/runner.js';
import { startSim } from '../sim/index.js';
import { SCENARIOS, type Scenario } from '../sim/scenarios/index.js';
import { ANNOTATION } from '../report/check.js';

const only = process.env['SMOKE_MATRIX']?.split(',').filter(Boolean);

/** The number of shards (selftest/verdicts-1.test.ts … verdicts-<VERDICT_SHARDS>.test.ts). */
export const VERDICT_SHARDS = 2;

/** Scenarios judged at once in one shard (each mostly waits: on the simulator's clock, on SMOKE_AWAIT). */
const CONCURRENCY = Number(process.env['SMOKE_VERDICT_CONCURRENCY'] ?? '') || 8;

/** The scenarios of shard `shard` (1-based): every VERDICT_SHARDS-th one. */
export function verdictScenarios(shard: number): Scenario[] {
  return SCENARIOS.filter((_, i) => i % VERDICT_SHARDS === shard - 1);
}

/** Starts the scenario's simulator, judges every check against it in-process, and stops it. */
export async function judgeScenario(scenario: Scenario): Promise<JudgedVerdict[]> {
  const sim = await startSim({ scenario: scenario.name });
  // The run's own report directory: the silent-peer records (clients/silent.ts) are per run.
  const reportDir = mkdtempSync(join(tmpdir(), `verdicts-${scenario.name}-`));
  try {
    const loaded = loadConfig({ ...sim.env, ...scenario.expect.env, SMOKE_REPORT_DIR: reportDir });
    if (!loaded.ok) throw new Error(`${scenario.name}: ${JSON.stringify(loaded.problems)}`);
    const ctx = createContext(loaded.config);
    try {
      return await judgeChecks(ctx, CHECKS);
    } finally {
      await ctx.close();
    }
  } finally {
    await sim.stop();
    rmSync(reportDir, { recursive: true, force: true });
  }
}

function show(verdicts: JudgedVerdict[]): string {
  return verdicts
    .filter((v) => v.status !== 'passed')
    .map((v) => `\n  ${v.id}: ${v.status} ${v.cause ?? '-'}${v.rootCause && v.rootCause !== v.cause ? ` → ${v.rootCause}` : ''}: ${(v.message ?? '').slice(0, 300)}`)
    .join('');
}

/** What selftest/matrix.ts asserts through the CLI, on in-process verdicts, plus the declared causes. */
export function assertScenario(scenario: Scenario, verdicts: JudgedVerdict[]): void {
  const detail = show(verdicts);
  assert.deepEqual(verdicts.map((v) => v.id), CHECKS.map((c) => c.id), 'one verdict per check of the registry');
  const failing = verdicts.filter((v) => v.status === 'failed');
  assert.deepEqual(failing.map((v) => v.id).sort(), [...scenario.expect.failing].sort(), `failing checks differ${detail}`);
  for (const v of failing) {
    assert.equal(v.rootCause, scenario.expect.cause, `${v.id} is linked to root cause ${v.rootCause ?? 'none'} (own cause ${v.cause ?? 'none'}: ${v.message ?? ''})`);
    assert.ok(v.message, `${v.id} failed without a message`);
  }
  if (!scenario.expect.failing.length || scenario.expect.skipped) {
    const skipped = verdicts.filter((v) => v.status === 'skipped');
    assert.deepEqual(skipped.map((v) => v.id).sort(), [...(scenario.expect.skipped ?? [])].sort(), `skipped checks differ${detail}`);
  }
  const effects = verdicts.flatMap((v) => v.notes.filter((n) => n.type === ANNOTATION.sideEffect).map((n) => n.description ?? ''));
  for (const want of scenario.expect.sideEffects ?? []) {
    assert.ok(effects.some((e) => e.includes(want)), `no side effect mentions "${want}": ${JSON.stringify(effects)}`);
  }
  for (const v of verdicts) {
    if (!v.cause) continue;
    const declared = CHECKS.find((c) => c.id === v.id)?.causes ?? [];
    assert.ok(declared.includes(v.cause), `${v.id} named cause ${v.cause}, which its \`causes\` (checks/*.ts) does not list: ${v.status} ${v.message ?? ''}`);
  }
}

/** Registers the scenarios of shard `shard` (1-based). */
export function verdictShard(shard: number): void {
  const selected = verdictScenarios(shard).filter((s) => !only || only.includes(s.name));
  void describe(`in-process verdicts (shard ${shard} of ${VERDICT_SHARDS}): every scenario judged without Playwright`, { concurrency: CONCURRENCY }, () => {
    for (const scenario of selected) {
      const what = scenario.expect.failing.length ? `fails ${scenario.expect.failing.join(', ')} naming ${scenario.expect.cause ?? '?'}` : 'every check passes';
      void it(`${scenario.name}: ${what}`, async () => {
        assertScenario(scenario, await judgeScenario(scenario));
      });
    }
  });
}

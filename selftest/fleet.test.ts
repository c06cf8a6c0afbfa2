/**
 * Fleet runs: three simulated Sovereigns (two healthy, one without load balancer targets) checked in
 * one command give the right Sovereign × check matrix, a report each, and exit 1.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderFleetMarkdown, type FleetSummary } from '../scripts/fleet.js';
import { findScenario } from '../sim/scenarios/index.js';
import { runSmoke } from './run.js';

const ROOT = resolve(import.meta.dirname, '..');
const out = join(ROOT, '.tmp', `fleet-${process.pid}`);

describe('fleet run', () => {
  after(() => rmSync(out, { recursive: true, force: true }));

  it('checks each Sovereign in isolation and writes the matrix', async () => {
    const r = await runSmoke(['--sim', 'healthy,lb-no-targets,healthy', '--report-dir', out], { SMOKE_WORKERS: '2' });
    assert.equal(r.status, 1, r.stderr.slice(-3000));
    const fleet = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetSummary;
    assert.deepEqual(fleet.sovereigns.map((s) => [s.name, s.verdict]), [
      ['sim1-healthy', 'passed'],
      ['sim2-lb-no-targets', 'failed'],
      ['sim3-healthy', 'passed'],
    ]);
    assert.equal(fleet.verdict, 'failed');
    const expected = findScenario('lb-no-targets')?.expect.failing ?? [];
    const failed = fleet.sovereigns[1]?.summary?.checks.filter((c) => c.status === 'failed').map((c) => c.id).sort();
    assert.deepEqual(failed, [...expected].sort());
    for (const s of fleet.sovereigns) {
      assert.ok(existsSync(join(s.reportDir, 'summary.json')), `${s.name} has no own report`);
      assert.ok(s.summary?.fqdn.startsWith(`${s.name}.`), `${s.name} checked ${s.summary?.fqdn}`);
    }
    const md = readFileSync(join(out, 'fleet.md'), 'utf8');
    assert.match(md, /^# Fleet: 2\/3 Sovereigns passed/);
    assert.match(md, /\| sim2-lb-no-targets \| ❌ failed \|.*❌/);
    assert.match(md, /## sim2-lb-no-targets[\s\S]*no targets/);
    const closing = r.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(closing, /^\d+ passed, [1-9]\d* failed, \d+ skipped$/);
  });
});

describe('fleet.md', () => {
  it('names, for a Sovereign that failed only in strict mode, what was not checked', () => {
    const md = renderFleetMarkdown({
      startedAt: '2026-05-03T10:00:00.000Z',
      verdict: 'failed',
      sovereigns: [{
        name: 'otech64', fqdn: 'otech64.omani.works', verdict: 'failed', reportDir: 'r/otech64',
        summary: {
          sovereign: 'otech64', fqdn: 'otech64.omani.works', startedAt: '2026-05-03T10:00:00.000Z', durationMs: 1, verdict: 'failed',
          counts: { passed: 1, failed: 0, skipped: 1 }, rootCauses: [], provenance: {}, sideEffects: [],
          strict: { on: true, allowSkip: [], failing: ['handover.login'] },
          checks: [
            { id: 'tls.handshake', title: 't', tags: [], status: 'passed', durationMs: 1 },
            { id: 'handover.login', title: 'h', tags: [], status: 'skipped', durationMs: 0, message: 'no signing key' },
          ],
        },
      }],
    });
    assert.match(md, /## otech64 \(otech64\.omani\.works\)\n- not checked, and strict mode fails the run for it: handover\.login/);
  });
});

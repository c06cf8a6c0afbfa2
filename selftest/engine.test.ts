/**
 * The in-process runner under the engine (scripts/engine.ts): a check past its budget fails naming
 * its last step, checks judged at once keep their own transcripts and records, the replay check waits
 * for the login, and a verdict becomes the same summary entry the Playwright reporter writes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunContext } from '../checks/context.js';
import { defineCheck } from '../checks/define.js';
import { summarizeVerdicts } from '../checks/outcome.js';
import { judgeChecks } from '../checks/runner.js';
import { evidence, fail, step } from '../report/check.js';
import { record } from '../report/transcript.js';

// These checks need nothing, so the gate asks nothing of the context.
const NO_CONTEXT = {} as RunContext;

void describe('the in-process runner', () => {
  void it('fails a check still running at its budget, naming the step it was in; the others are judged', async () => {
    const hangs = defineCheck({
      id: 'x.hangs',
      title: 'never finishes',
      tags: [],
      needs: [],
      causes: [],
      decide: () => step('waiting for an answer that never comes', () => new Promise<void>(() => undefined)),
    });
    const passes = defineCheck({ id: 'x.passes', title: 'passes', tags: [], needs: [], causes: [], decide: async () => undefined });
    const started = Date.now();
    const [h, p] = await judgeChecks(NO_CONTEXT, [hangs, passes], { budgetMs: 300 });
    assert.ok(Date.now() - started < 5_000, 'the budget ended the run');
    assert.equal(h?.status, 'failed');
    assert.match(h?.message ?? '', /^the check did not finish within its 0\.3s budget \(last step: waiting for an answer that never comes\)$/);
    assert.equal(p?.status, 'passed');
  });

  void it('keeps each check\'s transcript, evidence and cause its own when they run at once', async () => {
    const make = (n: number) =>
      defineCheck({
        id: `x.c${n}`,
        title: `check ${n}`,
        tags: [],
        needs: [],
        causes: ['lb-no-targets'],
        decide: async () => {
          for (let i = 0; i < 5; i++) {
            record(`call ${i} of check ${n}`);
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          evidence(`evidence of check ${n}`);
          fail('lb-no-targets', `check ${n} failed`, `load balancer lb-${n}`);
        },
      });
    const checks = [make(1), make(2), make(3)];
    const verdicts = await judgeChecks(NO_CONTEXT, checks, { concurrency: 3 });
    for (const [i, v] of verdicts.entries()) {
      const n = i + 1;
      assert.equal(v.status, 'failed');
      const lines = (v.transcript ?? '').split('\n');
      assert.equal(lines.length, 5, `check ${n}: ${v.transcript ?? 'no transcript'}`);
      assert.ok(lines.every((l) => l.endsWith(`of check ${n}`)), `check ${n} got another's transcript: ${v.transcript ?? ''}`);
    }
    const summary = summarizeVerdicts(verdicts, checks, { sovereign: 's', fqdn: 's.example', startedAt: new Date(), provenance: {}, strict: false, allowSkip: [] });
    assert.equal(summary.verdict, 'failed');
    assert.deepEqual(summary.checks.map((c) => [c.id, c.evidence, c.causeId]), [
      ['x.c1', 'evidence of check 1', 'lb-no-targets'],
      ['x.c2', 'evidence of check 2', 'lb-no-targets'],
      ['x.c3', 'evidence of check 3', 'lb-no-targets'],
    ]);
    assert.equal(summary.rootCauses.length, 1);
    assert.equal(summary.rootCauses[0]?.detail, 'load balancer lb-1', 'the root cause names the objects its first check found');
    assert.match(summary.checks[0]?.cause ?? '', /load balancer lb-1/);
  });

  void it('starts the replay check only after the login has finished', async () => {
    const order: string[] = [];
    const login = defineCheck({ id: 'handover.login', title: 'login', tags: [], needs: [], causes: [], decide: async () => {
      order.push('login start');
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
      order.push('login end');
    } });
    const replay = defineCheck({ id: 'handover.replay-rejected', title: 'replay', tags: [], needs: [], causes: [], decide: async () => {
      order.push('replay');
    } });
    await judgeChecks(NO_CONTEXT, [replay, login], { concurrency: 4 });
    assert.deepEqual(order, ['login start', 'login end', 'replay']);
  });
});

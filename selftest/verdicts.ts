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
 * Cost (2 cores, issue 15): a scenario is its simulator, its checks and, for most, one login in
 * Chromium. What does not differ between scenarios is made once per thread ({@link ThreadShare}: the
 * PKI, the simulator's keys, Chromium itself), which took the matrix from about 340 s of CPU to about
 * 135 s; each scenario still gets its own simulator, clients and browser context.
 *
 * SMOKE_MATRIX=name1,name2 limits the run to those scenarios. Split into shards, one test file each
 * (selftest/verdicts-<n>.test.ts), so each file stays well within its deadline.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parentPort, Worker } from 'node:worker_threads';
import { parseDuration } from '../clients/config.js';
import { CHECKS } from '../checks/index.js';
import type { JudgedVerdict } from '../checks/runner.js';
import { startSim } from '../sim/index.js';
import { makeSimKeys, type SimKeys } from '../sim/keys.js';
import { PkiCache } from '../sim/pki.js';
import { SCENARIOS, type Scenario } from '../sim/scenarios/index.js';
import { ANNOTATION } from '../report/check.js';
import { judgeAgainst } from './judge.js';
import { SharedBrowsers } from './shared-browser.js';

const only = process.env['SMOKE_MATRIX']?.split(',').filter(Boolean);

/** The number of shards (selftest/verdicts-1.test.ts … verdicts-<VERDICT_SHARDS>.test.ts). */
export const VERDICT_SHARDS = 2;

/**
 * Worker threads per shard, and scenarios each judges at once. The judging runs off the test runner's
 * thread, in one worker: what a thread shares (PKI, keys, Chromium: {@link ThreadShare}) is made once
 * per thread, and each thread costs about 2 s of CPU to load the suite, so on 2 cores one thread
 * judging four scenarios at once is faster than two judging two each (measured: 141 s of CPU for the
 * matrix against 166 s). Nothing blocks its event loop for long any more (no key generation per
 * start, `certutil` once per browser launch, not per scenario).
 */
const WORKERS = Number(process.env['SMOKE_VERDICT_WORKERS'] ?? '') || 1;
const PER_WORKER = Number(process.env['SMOKE_VERDICT_PER_WORKER'] ?? '') || 4;
/** Checks judged at once in one scenario (the CLI runs two Playwright workers). */
const CHECKS_AT_ONCE = Number(process.env['SMOKE_VERDICT_CHECKS'] ?? '') || 3;

/** How long a scenario waits by design (its SMOKE_AWAIT), to start the long ones first. */
function designedWaitMs(s: Scenario): number {
  return parseDuration(s.expect.env?.['SMOKE_AWAIT'] ?? '') ?? 0;
}

/**
 * The scenarios of shard `shard` (1-based), longest designed wait first: the scenarios are ordered by
 * it and dealt out in turn, so each shard gets its share of the long ones and starts them first. The
 * timing-tight ones, judged alone at the end of their shard, are dealt out on their own, so that no
 * shard ends with more of them than it must.
 */
export function verdictScenarios(shard: number): Scenario[] {
  const byWait = SCENARIOS.map((s, i) => ({ s, i })).sort((a, b) => designedWaitMs(b.s) - designedWaitMs(a.s) || a.i - b.i).map((x) => x.s);
  const deal = (list: Scenario[]): Scenario[] => list.filter((_, k) => k % VERDICT_SHARDS === shard - 1);
  return [...deal(byWait.filter((s) => !timingTight(s))), ...deal(byWait.filter(timingTight))];
}

/**
 * What the scenarios one thread judges share, so that a scenario costs its own simulator and checks
 * and not a fresh set of everything: the simulator's PKI, each distinct one made once under one root
 * (sim/pki.ts `PkiCache`), one set of the simulator's RSA keys, and Chromium
 * (selftest/shared-browser.ts). A browser is shared only by runs whose launch would be identical, so
 * each slot (a scenario in flight) keeps its gateway on one port: the `--host-resolver-rules` of its
 * runs stay the same. Every scenario still gets its own simulator (servers, world, credentials) and its
 * own clients and browser context.
 */
export interface ThreadShare {
  pki: PkiCache;
  keys: SimKeys;
  browsers: SharedBrowsers;
  /** The gateway port of each slot, learned from its first simulator. */
  slotPorts: (number | undefined)[];
}

/** Makes a {@link ThreadShare} with `slots` slots. */
export async function threadShare(slots: number): Promise<ThreadShare> {
  const pki = new PkiCache();
  const [keys] = await Promise.all([makeSimKeys(), pki.rootCa()]);
  return { pki, keys, browsers: new SharedBrowsers(slots), slotPorts: Array.from({ length: slots }, () => undefined) };
}

/**
 * Starts the scenario's simulator, judges every check against it in-process, and stops it. With
 * `share` and `slot`, the simulator and the browser come from what the thread shares.
 */
export async function judgeScenario(scenario: Scenario, share?: ThreadShare, slot = 0): Promise<JudgedVerdict[]> {
  const port = share?.slotPorts[slot];
  const sim = await startSim({ scenario: scenario.name, ...(share ? { pki: share.pki, keys: share.keys, ...(port ? { gatewayPort: port } : {}) } : {}) });
  const got = sim.context.ports.gateway;
  // The slot keeps the first port it gets that no other slot uses.
  if (share && !port && got && !share.slotPorts.includes(got)) share.slotPorts[slot] = got;
  try {
    return await judgeAgainst(sim, scenario.expect.env ?? {}, CHECKS, CHECKS_AT_ONCE, share ? { launchBrowser: share.browsers.launch } : {});
  } finally {
    await sim.stop();
  }
}

function show(verdicts: JudgedVerdict[]): string {
  return verdicts
    .filter((v) => v.status !== 'passed')
    .map((v) => `\n  ${v.id}: ${v.status} ${v.cause ?? '-'}${v.rootCause && v.rootCause !== v.cause ? ` → ${v.rootCause}` : ''}: ${(v.message ?? '').slice(0, 300)}`)
    .join('');
}

/** The checks of the handover and Keycloak: the registry's @auth checks. */
export const AUTH_IDS: readonly string[] = CHECKS.filter((c) => c.tags.includes('@auth')).map((c) => c.id);
/** Scenarios made for the auth checks: there every auth check decides (fails as expected or passes), none is skipped. */
export const AUTH_SCENARIOS: readonly string[] = ['healthy', 'sa-roles-scope-mappings', 'sa-secret-mismatch', 'replay-accepted', 'forged-accepted', 'cookie-insecure', 'login-redirects-to-login', 'whoami-open', 'issuer-mismatch'];

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
  if (AUTH_SCENARIOS.includes(scenario.name)) {
    assert.deepEqual(verdicts.filter((v) => AUTH_IDS.includes(v.id) && v.status === 'skipped').map((v) => `${v.id}: ${v.message ?? ''}`), [], `${scenario.name} is an auth scenario: every auth check decides`);
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

/** What a worker thread answers for one scenario. */
type Judged = { scenario: string; verdicts: JudgedVerdict[] } | { scenario: string; error: string };

/** What the main thread asks a worker: judge a scenario (its name), or close what it shares. */
type Request = string | { close: true };

const errorText = (err: unknown): string => (err instanceof Error ? (err.stack ?? err.message) : String(err));

/** In a worker thread: judges each scenario the main thread sends, at most PER_WORKER at once. */
export function serveScenarios(): void {
  const port = parentPort;
  if (!port) throw new Error('serveScenarios runs in a worker thread');
  const share = threadShare(PER_WORKER);
  const busy = new Set<number>();
  port.on('message', (req: Request) => {
    if (typeof req !== 'string') {
      void share.then((s) => s.browsers.close()).catch(() => undefined).then(() => port.postMessage({ closed: true }));
      return;
    }
    const scenario = SCENARIOS.find((s) => s.name === req);
    let slot = 0;
    while (busy.has(slot)) slot++;
    busy.add(slot);
    const judged: Promise<Judged> = scenario
      ? share.then((s) => judgeScenario(scenario, s, slot)).then(
          (verdicts) => ({ scenario: req, verdicts }),
          (err: unknown) => ({ scenario: req, error: errorText(err) }),
        )
      : Promise.resolve({ scenario: req, error: `unknown scenario ${req}` });
    void judged.then((j) => {
      busy.delete(slot);
      port.postMessage(j);
    });
  });
}

/** Worker threads, each judging up to PER_WORKER scenarios at once; tsx is registered in each. */
class ScenarioPool {
  private readonly workers: { worker: Worker; busy: Set<string>; dead: boolean }[] = [];
  private readonly queue: { name: string; done: (j: Judged) => void }[] = [];
  /** Scenarios judged alone, once everything else is done (their verdicts depend on timing). */
  private readonly solo: { name: string; done: (j: Judged) => void }[] = [];
  private readonly pending = new Map<string, (j: Judged) => void>();

  constructor(size: number) {
    // The worker's own module loader has no tsx until it registers it (`--import tsx` is the main thread's).
    const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); }).then((m) => m.serveScenarios());`;
    for (let i = 0; i < size; i++) {
      // The worker's stdout (the checks' `⌛` wait lines) goes to stderr: this file's stdout is node's
      // test-runner channel, and a line forwarded from a thread into it once broke a serialized event
      // ("Unable to deserialize cloned data"), failing the whole file.
      const worker = new Worker(boot, { eval: true, stdout: true });
      worker.stdout.pipe(process.stderr);
      const slot = { worker, busy: new Set<string>(), dead: false };
      worker.on('message', (j: Judged | { closed: true }) => {
        if ('closed' in j) return;
        slot.busy.delete(j.scenario);
        this.pending.get(j.scenario)?.(j);
        this.pending.delete(j.scenario);
        this.next();
      });
      worker.on('error', (err) => {
        for (const name of slot.busy) {
          this.pending.get(name)?.({ scenario: name, error: `its worker thread died: ${err.stack ?? err.message}` });
          this.pending.delete(name);
        }
        slot.busy.clear();
        slot.dead = true;
      });
      this.workers.push(slot);
    }
  }

  judge(name: string, alone = false): Promise<Judged> {
    return new Promise((done) => {
      (alone ? this.solo : this.queue).push({ name, done });
      this.next();
    });
  }

  private next(): void {
    for (;;) {
      const slot = this.workers.filter((w) => !w.dead && w.busy.size < PER_WORKER).sort((a, b) => a.busy.size - b.busy.size)[0];
      const idle = this.workers.every((w) => w.busy.size === 0);
      const task = slot && (this.queue.shift() ?? (idle ? this.solo.shift() : undefined));
      if (!slot || !task) return;
      slot.busy.add(task.name);
      this.pending.set(task.name, task.done);
      slot.worker.postMessage(task.name);
    }
  }

  /** Has each worker close its browsers (and wait for them, a few seconds at most), then ends it. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        if (!w.dead) {
          await new Promise<void>((done) => {
            const timer = setTimeout(done, 15_000);
            w.worker.on('message', (m: unknown) => {
              if (typeof m === 'object' && m && 'closed' in m) {
                clearTimeout(timer);
                done();
              }
            });
            w.worker.postMessage({ close: true } satisfies Request);
          });
        }
        await w.worker.terminate();
      }),
    );
  }
}

/**
 * A scenario whose verdict depends on answers arriving within a short SMOKE_TIMEOUT (a cold Keycloak
 * answering after 5 s against a 2 s timeout; a silent console): judged alone, after the others, so
 * that no other scenario's simulator or Chromium in this process makes a healthy answer late.
 */
function timingTight(s: Scenario): boolean {
  const t = parseDuration(s.expect.env?.['SMOKE_TIMEOUT'] ?? '');
  return t !== undefined && t < 5_000;
}

/** Registers the scenarios of shard `shard` (1-based). */
export function verdictShard(shard: number): void {
  const selected = verdictScenarios(shard).filter((s) => !only || only.includes(s.name));
  let pool: ScenarioPool | undefined;
  void describe(`in-process verdicts (shard ${shard} of ${VERDICT_SHARDS}): every scenario judged without Playwright`, { concurrency: true }, () => {
    before(() => {
      pool = new ScenarioPool(Math.min(WORKERS, Math.ceil(selected.length / PER_WORKER)));
    });
    after(() => pool?.close());
    for (const scenario of selected) {
      const what = scenario.expect.failing.length ? `fails ${scenario.expect.failing.join(', ')} naming ${scenario.expect.cause ?? '?'}` : 'every check passes';
      void it(`${scenario.name}: ${what}`, async () => {
        if (!pool) throw new Error('no worker pool');
        const j = await pool.judge(scenario.name, timingTight(scenario));
        if ('error' in j) assert.fail(`${scenario.name} could not be judged: ${j.error}`);
        assertScenario(scenario, j.verdicts);
      });
    }
  });
}

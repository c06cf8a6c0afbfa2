/**
 * The drift test: one registry (checks/index.ts) and everything derived from it agree. The check
 * tables of the README and docs/contract.md are what scripts/tables.ts generates; every check has
 * exactly one Playwright test, titled its `testTitle` and tagged its tags; `--list` is the registry;
 * every check id the docs, the scenarios and the scenario table name is a registry id; every cause a
 * check lists is in the catalog (report/causes.ts). Runs no check, and one process: `scripts/smoke --list`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CHECKS, CHECK_IDS, checkById, isCheckId } from '../checks/index.js';
import { isCauseId } from '../report/causes.js';
import { checkIdOf } from '../report/check.js';
import { scenarioTable } from '../scripts/scenario-table.js';
import { renderList, selectChecks } from '../scripts/smoke.js';
import { cellsOf, staleTables, TABLES } from '../scripts/tables.js';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { CONTRACT_CHECKS } from './contract.js';
import { runProcess, tail } from './run.js';

const ROOT = resolve(import.meta.dirname, '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

/** The families of the registry (`tls` of `tls.certificate`): a backticked `<family>.<name>` is a check id. */
const FAMILIES = new Set(CHECK_IDS.map((id) => id.slice(0, id.indexOf('.'))));
/** Every `family.name` in backticks, for a family of the registry: what reads as a check id. */
function mentionedIds(text: string): string[] {
  return [...text.matchAll(/`([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)`/g)].filter((m) => FAMILIES.has(m[1] ?? '')).map((m) => `${m[1]}.${m[2]}`);
}

/** The ids of the generated table in `file`, in order. */
function tableIds(file: string): string[] {
  const block = /<!-- checks:start[^>]*-->\n([\s\S]*?)<!-- checks:end -->/.exec(read(file))?.[1] ?? '';
  return block
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => /^`([^`]+)`$/.exec(cellsOf(l)[0] ?? '')?.[1] ?? '');
}

describe('the registry (checks/index.ts)', () => {
  it('has unique ids and titles, each test title `<id>: <title>`, and is the contract', () => {
    assert.equal(new Set(CHECK_IDS).size, CHECKS.length, 'duplicate check ids');
    assert.equal(new Set(CHECKS.map((c) => c.title)).size, CHECKS.length, 'duplicate titles');
    for (const c of CHECKS) {
      assert.match(c.id, /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/, `${c.id}: a check id is <family>.<name>`);
      assert.equal(c.testTitle, `${c.id}: ${c.title}`);
      assert.ok(c.tags.length > 0, `${c.id} has no tag (--grep @… and the tables need one)`);
      assert.equal(checkById(c.id), c);
      assert.ok(isCheckId(c.id));
      // The reporter's fallback for a test the adapter never reached agrees with the registry.
      assert.equal(checkIdOf([], c.testTitle), c.id);
    }
    assert.deepEqual([...CONTRACT_CHECKS], [...CHECK_IDS]);
  });

  it('names only causes of the catalog (report/causes.ts)', () => {
    for (const c of CHECKS) {
      const unknown = c.causes.filter((id) => !isCauseId(id));
      assert.deepEqual(unknown, [], `${c.id} lists causes that report/causes.ts does not define`);
      assert.equal(new Set(c.causes).size, c.causes.length, `${c.id} lists a cause twice`);
    }
  });

  it('has exactly one Playwright test per check, titled its testTitle and tagged its tags (tests/*.spec.ts)', async () => {
    // Read from the specs rather than `playwright test --list`: the same facts, without a runner.
    const titled = new Map<string, string[]>();
    for (const file of readdirSync(join(ROOT, 'tests')).filter((f) => f.endsWith('.spec.ts')).sort()) {
      const text = read(`tests/${file}`);
      const family = new Map<string, Record<string, unknown>>();
      for (const m of text.matchAll(/import \{([^}]+)\} from '\.\.\/checks\/([a-z-]+)\.js'/g)) {
        const mod = (await import(`../checks/${m[2]}.js`)) as Record<string, unknown>;
        for (const name of (m[1] ?? '').split(',').map((n) => n.trim()).filter(Boolean)) family.set(name, mod);
      }
      const calls = [...text.matchAll(/^test\((\w+)\.testTitle, \{ tag: \[\.\.\.(\w+)\.tags\] \}, /gm)];
      assert.equal(calls.length, [...text.matchAll(/^test\(/gm)].length, `${file}: every test is test(<check>.testTitle, { tag: [...<check>.tags] }, …)`);
      for (const [, name = '', tagsOf] of calls) {
        assert.equal(tagsOf, name, `${file}: ${name}'s test takes the tags of ${tagsOf}`);
        const check = family.get(name)?.[name] as { id?: string } | undefined;
        assert.ok(check?.id && isCheckId(check.id) && checkById(check.id) === check, `${file}: ${name} is not a check of the registry`);
        titled.set(check.id, [...(titled.get(check.id) ?? []), file]);
      }
    }
    for (const id of CHECK_IDS) assert.equal(titled.get(id)?.length, 1, `${id}: tests in ${(titled.get(id) ?? ['no spec']).join(', ')}`);
  });

  it('is what scripts/smoke --list prints, in the order the checks run, and --grep selects as Playwright does', async () => {
    const r = await runProcess(join(ROOT, 'scripts/smoke'), ['--list'], { env: { PATH: process.env['PATH'] } });
    assert.equal(r.code, 0, tail(r.out));
    assert.equal(r.stdout, renderList(selectChecks(CHECKS, {})));
    assert.deepEqual(r.stdout.trim().split('\n').slice(0, -1).map((l) => l.split(/\s+/)[0]), [...CHECK_IDS]);
    assert.deepEqual(selectChecks(CHECKS, { grep: '@edge' }).map((c) => c.id), CHECKS.filter((c) => (c.tags as readonly string[]).includes('@edge')).map((c) => c.id));
    assert.deepEqual(selectChecks(CHECKS, { grep: 'handover\\.', grepInvert: 'login' }).map((c) => c.id), ['handover.replay-rejected', 'handover.forged-rejected', 'handover.session-required']);
  });
});

describe('what derives from the registry', () => {
  it('the check tables of the README and docs/contract.md are generated (node --import tsx scripts/tables.ts --write)', () => {
    assert.deepEqual(staleTables(), []);
    for (const t of TABLES) assert.deepEqual(tableIds(t.file), [...CHECK_IDS], `${t.file}: the table's ids`);
  });

  it('docs/contract.md and the README name no check the registry lacks', () => {
    for (const file of ['docs/contract.md', 'README.md', 'docs/sovereign-variants.md']) {
      const unknown = [...new Set(mentionedIds(read(file)))].filter((id) => !isCheckId(id));
      assert.deepEqual(unknown, [], `${file} names check ids that are not in checks/index.ts`);
    }
  });

  it('the code names no check id the registry lacks (free text included: messages, usedBy, descriptions)', () => {
    // A mention is `<family>.<name>` outside an identifier or a path; `lb.labels` or `tls.crt` are
    // properties, not checks. What fails: a dashed name (`catalyst-api.sovereign-fdqn`) or a near miss
    // of a registry id (`lb.target`), either of which is a check id that drifted.
    const distance = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
      for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
          const row = d[i] as number[];
          const prev = d[i - 1] as number[];
          row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
      }
      return (d[a.length] as number[])[b.length] ?? 0;
    };
    const families = [...FAMILIES].map((f) => f.replace(/[-]/g, '\\-')).join('|');
    const mention = new RegExp(`(?<![A-Za-z0-9_.$/-])(?:${families})\\.[a-z][a-z0-9-]*[a-z0-9](?![A-Za-z0-9_(/-]|\\.[a-z])`, 'g');
    const drifted: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(path);
        else if (e.name.endsWith('.ts')) {
          for (const m of read(path).matchAll(mention)) {
            const id = m[0];
            if (isCheckId(id)) continue;
            if (id.slice(id.indexOf('.') + 1).includes('-') || CHECK_IDS.some((known) => distance(id, known) <= 2)) drifted.push(`${path}: ${id}`);
          }
        }
      }
    };
    for (const dir of ['checks', 'decisions', 'clients', 'report', 'sim', 'fixtures', 'scripts', 'tests']) walk(dir);
    assert.deepEqual(drifted, [], 'check ids that are not in checks/index.ts');
  });

  it('scenario expectations and the scenario table name registry ids only', () => {
    for (const s of SCENARIOS) {
      for (const id of [...s.expect.failing, ...(s.expect.skipped ?? [])]) assert.ok(isCheckId(id), `${s.name}: ${id} is not a check id`);
    }
    const table = scenarioTable();
    const failingCells = table.split('\n').slice(2).map((row) => cellsOf(row)[2] ?? '');
    for (const cell of failingCells) {
      for (const m of cell.matchAll(/`([^`]+)`/g)) assert.ok(isCheckId(m[1] ?? ''), `scenario table: ${m[1]} is not a check id`);
    }
  });
});

/**
 * `npm run flake [-- RUNS [SCENARIO…]]`: runs the healthy scenario and a failing one RUNS times each
 * (default 20) and reports any run whose verdict or set of failing checks differs from the first.
 * Exit 1 when any differs.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { measure, ROOT } from './measure.js';

const runs = Number(process.argv[2] ?? '20') || 20;
const scenarios = process.argv.slice(3).length ? process.argv.slice(3) : ['healthy', 'sovereign-fqdn-race'];
const out = join(ROOT, '.tmp', 'flake');
let differing = 0;
for (const scenario of scenarios) {
  let first: string | undefined;
  for (let i = 0; i < runs; i++) {
    const dir = join(out, `${scenario}-${i}`);
    const m = await measure(['--sim', scenario], dir);
    const failing = (m.summary?.checks ?? []).filter((c) => c.status === 'failed').map((c) => `${c.id}(${c.causeId ?? '?'})`).sort();
    const verdict = `exit ${m.exitCode}; failing: ${failing.join(' ') || 'none'}`;
    first ??= verdict;
    if (verdict !== first) {
      differing++;
      process.stdout.write(`${scenario} run ${i + 1}: DIFFERS: ${verdict} (first: ${first}); report kept in ${dir}\n`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${scenario}: ${runs} runs, verdict ${first ?? 'none'}\n`);
}
process.stdout.write(differing ? `${differing} runs differed\n` : 'all runs agreed\n');
process.exit(differing ? 1 : 0);

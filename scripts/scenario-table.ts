/**
 * Prints the scenario table (what each check catches) as Markdown, for the README:
 * `node --import tsx scripts/scenario-table.ts`.
 */
import { CAUSES } from '../report/causes.js';
import { SCENARIOS } from '../sim/scenarios/index.js';

export function scenarioTable(): string {
  const rows = ['| scenario | real failure mode | checks that fail | root cause named |', '|---|---|---|---|'];
  for (const s of SCENARIOS) {
    const cause = s.expect.cause ? `\`${s.expect.cause}\`: ${CAUSES[s.expect.cause].title}` : '–';
    const failing = s.expect.failing.length ? s.expect.failing.map((f) => `\`${f}\``).join(' ') : 'none';
    rows.push(`| \`${s.name}\` | ${s.description.replace(/\|/g, '\\|')} | ${failing} | ${cause.replace(/\|/g, '\\|')} |`);
  }
  return rows.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] !== '--write') process.stdout.write(`${scenarioTable()}\n`);

/** Rewrites the table between the README's scenario markers: `scenario-table.ts --write`. */
export function readmeWithTable(readme: string): string {
  return readme.replace(/<!-- scenarios:start -->[\s\S]*<!-- scenarios:end -->/, `<!-- scenarios:start -->\n${scenarioTable()}\n<!-- scenarios:end -->`);
}
if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === '--write') {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, readmeWithTable(readFileSync(path, 'utf8')));
}

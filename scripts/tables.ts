/**
 * The check tables of the README and docs/contract.md, generated from the registry (checks/index.ts):
 * `node --import tsx scripts/tables.ts --write` rewrites the text between `<!-- checks:start -->` and
 * `<!-- checks:end -->` in both files; without `--write` it says which file is out of date and exits 1.
 *
 * The registry decides the rows (one per check, in the order they run) and the derived columns: the
 * id, the tags, the needs and, in the contract, the sentence a pass proves (the check's `title`, also
 * its test title). The other columns are prose written by hand and kept per id: the README's `what it
 * asserts` and `what it caught`, the contract's `in detail`. A new check's row starts with its title
 * there and `–`; a removed check's row goes. selftest/registry.test.ts fails when running this would
 * change anything.
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKS } from '../checks/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What a table needs to know of a check. */
export interface TableCheck {
  id: string;
  title: string;
  tags: readonly string[];
  needs: readonly string[];
}

interface TableSpec {
  /** Path from the repository root. */
  file: string;
  /** Column headers: the derived ones first, then the hand-written ones. */
  header: string[];
  /** How many of the columns (the last ones) are written by hand. */
  hand: number;
  derived(c: TableCheck): string[];
  /** The hand-written cells of a check the table does not list yet. */
  fresh(c: TableCheck): string[];
}

const code = (s: string): string => `\`${s}\``;
/** Text for a table cell: a `|` would end the cell, a bare `<fqdn>` would render as an HTML tag. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const needs = (c: TableCheck): string => (c.needs.length ? c.needs.map(code).join(' ') : '–');

export const TABLES: TableSpec[] = [
  {
    file: 'README.md',
    header: ['id', 'tags', 'needs', 'what it asserts', 'what it caught'],
    hand: 2,
    derived: (c) => [code(c.id), c.tags.join(' '), needs(c)],
    fresh: (c) => [cell(c.title), '–'],
  },
  {
    file: 'docs/contract.md',
    header: ['id', 'tags', 'needs', 'what a pass proves (its test title)', 'in detail'],
    hand: 1,
    derived: (c) => [code(c.id), c.tags.join(' '), needs(c), cell(c.title)],
    fresh: () => ['–'],
  },
];

const START = '<!-- checks:start: generated from checks/index.ts by scripts/tables.ts --write; edit only the prose columns -->';
const END = '<!-- checks:end -->';
const BLOCK = /<!-- checks:start[^>]*-->\n([\s\S]*?)<!-- checks:end -->/;

/** The cells of one Markdown table row (`\|` stays inside its cell). */
export function cellsOf(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** The table of `spec`, keeping the hand-written cells `old` holds for each id. */
export function renderTable(spec: TableSpec, checks: readonly TableCheck[], old = ''): string {
  const kept = new Map<string, string[]>();
  const derivedCount = spec.header.length - spec.hand;
  for (const line of old.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = cellsOf(line);
    const id = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (id) kept.set(id, cells.slice(derivedCount));
  }
  const rows = checks.map((c) => {
    const hand = kept.get(c.id);
    const cells = [...spec.derived(c), ...(hand && hand.length === spec.hand ? hand : spec.fresh(c))];
    return `| ${cells.join(' | ')} |`;
  });
  return [`| ${spec.header.join(' | ')} |`, `|${spec.header.map(() => '---').join('|')}|`, ...rows].join('\n');
}

/** `text` with its generated check table rewritten from `checks`; throws when it has no markers. */
export function withTable(spec: TableSpec, text: string, checks: readonly TableCheck[] = CHECKS): string {
  const m = BLOCK.exec(text);
  if (!m) throw new Error(`${spec.file} has no ${END.replace('end', 'start')} … ${END} markers`);
  return text.replace(BLOCK, `${START}\n${renderTable(spec, checks, m[1])}\n${END}`);
}

/** The files whose check table differs from the registry (empty when all are up to date). */
export function staleTables(root = ROOT): string[] {
  return TABLES.filter((t) => {
    const text = readFileSync(join(root, t.file), 'utf8');
    return withTable(t, text) !== text;
  }).map((t) => t.file);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--write') {
    for (const t of TABLES) {
      const path = join(ROOT, t.file);
      const text = readFileSync(path, 'utf8');
      const next = withTable(t, text);
      if (next !== text) {
        writeFileSync(path, next);
        process.stdout.write(`rewrote the check table of ${t.file}\n`);
      }
    }
  } else {
    const stale = staleTables();
    for (const f of stale) process.stderr.write(`${f}: the check table is not the registry's; run node --import tsx scripts/tables.ts --write\n`);
    process.exitCode = stale.length ? 1 : 0;
  }
}

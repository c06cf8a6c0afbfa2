/**
 * The suite's layers (issue 15): `tests → fixtures → checks → decisions → clients → report`, imports
 * pointing down only; no file in a layer over 400 lines; `sim/` imports from the suite only the cause
 * ids (report/causes.ts), the key helpers (clients/keys.ts) and, as a type, the registry's `CheckId`;
 * `@playwright/test` only in tests/, fixtures/ and the reporter's types (a check is a value, and
 * judged without a test runner).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');
const LAYERS = ['tests', 'fixtures', 'checks', 'decisions', 'clients', 'report'] as const;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

interface Import {
  file: string;
  target: string;
  typeOnly: boolean;
}

function imports(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/^(import|export)(\s+type)?\b[^;]*?\bfrom\s+'([^']+)'/gms)) {
    const spec = m[3] ?? '';
    const target = spec.startsWith('.') ? normalize(join(dirname(file), spec)) : spec;
    out.push({ file, target, typeOnly: !!m[2] });
  }
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) {
    const spec = m[1] ?? '';
    out.push({ file, target: spec.startsWith('.') ? normalize(join(dirname(file), spec)) : spec, typeOnly: false });
  }
  return out;
}

const layerOf = (path: string): number => LAYERS.indexOf(path.split('/')[0] as (typeof LAYERS)[number]);

void describe('layers', () => {
  void it('every import in a layer points to the same layer or one below it', () => {
    const up: string[] = [];
    for (const layer of LAYERS) {
      for (const f of files(layer)) {
        for (const i of imports(f)) {
          if (!i.target.includes('/') || i.target.startsWith('@') || i.target.startsWith('node:')) continue;
          const to = layerOf(i.target);
          if (to >= 0 && to < layerOf(f)) up.push(`${f} → ${i.target}`);
        }
      }
    }
    assert.deepEqual(up, [], 'imports pointing up');
  });

  void it('no file in a layer is over 400 lines', () => {
    const long = LAYERS.flatMap((l) => files(l)).map((f) => ({ f, n: readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1 })).filter((x) => x.n > 400);
    assert.deepEqual(long.map((x) => `${x.f}: ${x.n}`), []);
  });

  void it('sim/ imports only the cause ids, the key helpers and (as a type) CheckId from the suite', () => {
    const allowed = new Set(['report/causes.js', 'clients/keys.js']);
    const bad = files('sim').flatMap((f) =>
      imports(f)
        .filter((i) => LAYERS.some((l) => i.target.startsWith(`${l}/`)))
        .filter((i) => !allowed.has(i.target) && !(i.typeOnly && i.target === 'checks/index.js'))
        .map((i) => `${f} → ${i.target}${i.typeOnly ? ' (type)' : ''}`),
    );
    assert.deepEqual(bad, []);
  });

  void it('no check, decision, client or report module imports the test runner', () => {
    const bad = (['checks', 'decisions', 'clients', 'report'] as const)
      .flatMap((l) => files(l))
      .flatMap((f) => imports(f).filter((i) => i.target === '@playwright/test' && !i.typeOnly && !(f === 'report/reporter.ts')).map((i) => relative(ROOT, join(ROOT, i.file))));
    assert.deepEqual(bad, [], 'these import @playwright/test at run time');
  });
});

/**
 * Label selectors as both the kube-apiserver (`labelSelector=`) and the Hetzner Cloud API
 * (`label_selector=`) read them: the same grammar, `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`,
 * `k notin (a,b)`, comma-separated requirements that must all hold.
 *
 * @module
 */

/** One requirement of a label selector (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`). */
export type Requirement = { key: string; op: 'eq' | 'ne' | 'exists' | 'absent' | 'in' | 'notin'; values: string[] };

/** Parses a label selector; undefined when it is malformed. Commas inside parentheses do not split. */
export function parseLabelSelector(text: string): Requirement[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const out: Requirement[] = [];
  for (const raw of parts.map((p) => p.trim())) {
    if (!raw) return undefined;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(raw))) {
      out.push({ key: m[1] ?? '', op: m[2] === 'in' ? 'in' : 'notin', values: (m[3] ?? '').split(',').map((v) => v.trim()) });
    } else if ((m = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(raw))) {
      out.push({ key: m[1] ?? '', op: 'ne', values: [m[2] ?? ''] });
    } else if ((m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(raw))) {
      out.push({ key: m[1] ?? '', op: 'eq', values: [m[2] ?? ''] });
    } else if ((m = /^!\s*([^!=\s]+)$/.exec(raw))) {
      out.push({ key: m[1] ?? '', op: 'absent', values: [] });
    } else if (/^[^!=\s(),]+$/.test(raw)) {
      out.push({ key: raw, op: 'exists', values: [] });
    } else return undefined;
  }
  return out;
}

export function matchesSelector(labels: Record<string, string>, reqs: Requirement[]): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.values[0];
      case 'ne':
        return !has || v !== r.values[0];
      case 'exists':
        return has;
      case 'absent':
        return !has;
      case 'in':
        return has && r.values.includes(v ?? '');
      case 'notin':
        return !has || !r.values.includes(v ?? '');
    }
  });
}

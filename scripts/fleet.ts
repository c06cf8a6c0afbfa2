/**
 * Fleet reports: one Sovereign × check matrix across several runs (`fleet.json`, `fleet.md`).
 *
 * @module
 */
import type { Summary } from '../report/reporter.js';

export interface FleetEntry {
  name: string;
  fqdn: string;
  verdict: 'passed' | 'failed';
  reportDir: string;
  summary?: Summary;
  /** Why the run produced no summary (unreachable, crashed). */
  error?: string;
}

export interface FleetSummary {
  startedAt: string;
  verdict: 'passed' | 'failed';
  sovereigns: FleetEntry[];
}

const MARK: Record<string, string> = { passed: '✅', failed: '❌', skipped: '⏭️' };

/** The Sovereign × check matrix, then each failed Sovereign's root causes. */
export function renderFleetMarkdown(f: FleetSummary): string {
  const ids = [...new Set(f.sovereigns.flatMap((s) => s.summary?.checks.map((c) => c.id) ?? []))].sort();
  const lines = [`# Fleet: ${f.sovereigns.filter((s) => s.verdict === 'passed').length}/${f.sovereigns.length} Sovereigns passed`, ''];
  lines.push(`| Sovereign | verdict | ${ids.map((i) => `\`${i}\``).join(' | ')} |`);
  lines.push(`|---|---|${ids.map(() => '---').join('|')}|`);
  for (const s of f.sovereigns) {
    const byId = new Map((s.summary?.checks ?? []).map((c) => [c.id, c.status]));
    lines.push(`| ${s.name} | ${MARK[s.verdict] ?? ''} ${s.verdict} | ${ids.map((i) => MARK[byId.get(i) ?? ''] ?? '–').join(' | ')} |`);
  }
  lines.push('');
  for (const s of f.sovereigns.filter((x) => x.verdict === 'failed')) {
    lines.push(`## ${s.name} (${s.fqdn})`);
    if (s.error) lines.push(`- did not complete: ${s.error}`);
    for (const rc of s.summary?.rootCauses ?? []) lines.push(`- **${rc.title}** (seen by ${rc.checks.join(', ')}). Next: ${rc.next}`);
    const notChecked = s.summary?.strict?.failing ?? [];
    if (notChecked.length) lines.push(`- not checked, and strict mode fails the run for it: ${notChecked.join(', ')} (see its summary.md, "Not checked")`);
    lines.push(`- report: ${s.reportDir}`);
    lines.push('');
  }
  return lines.join('\n');
}

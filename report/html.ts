/**
 * The HTML report of a run judged in-process (scripts/engine.ts), in `$SMOKE_REPORT_DIR/html/`
 * (contract §4): one self-contained `index.html` that opens from disk or a CI artifact with no server
 * and no script, and the evidence files beside it in `data/` (the login's screenshot, its redacted
 * request sequence, a scrubbed Playwright trace to open with `npx playwright show-trace`).
 *
 * It tells the story in the order the terminal does: the verdict, the root causes with the objects
 * the suite found and the next step, then every check (failed first) with its message, the cause it
 * is linked to, the steps it took, what it waited for, and its evidence. Every text is redacted again
 * here and HTML-escaped.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from './redact.js';
import type { CheckSummary, Summary } from './summary.js';

/** A file attached to a check, relative to the report's folder. */
export interface HtmlAttachment {
  name: string;
  /** Path relative to `html/` (`data/handover.login-screenshot.png`). */
  file: string;
  contentType: string;
}

/** What the report shows of one check beyond its summary entry. */
export interface HtmlCheckDetail {
  steps: string[];
  attachments: HtmlAttachment[];
  /** The calls its clients made (failed checks only). */
  transcript?: string;
}

const esc = (text: string): string => redact(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}code,pre{font:12px/1.4 ui-monospace,monospace}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;white-space:pre-wrap}
.passed{color:#1a7f37}.failed{color:#cf222e}.skipped{color:#9a6700}
details{border:1px solid #d0d7de;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
summary{cursor:pointer}.root{border-left:4px solid #cf222e;padding:.2rem .8rem;margin:.6rem 0}
table{border-collapse:collapse}td{padding:.1rem .8rem .1rem 0;vertical-align:top}img{max-width:100%;border:1px solid #d0d7de}`;

const MARK: Record<CheckSummary['status'], string> = { passed: '✓', failed: '✗', skipped: '○' };

function seconds(ms: number | undefined): string {
  return `${((ms ?? 0) / 1000).toFixed(1)}s`;
}

function checkSection(c: CheckSummary, d: HtmlCheckDetail | undefined, strictFailing: boolean): string {
  const rows: string[] = [];
  const row = (k: string, v: string | undefined): void => {
    if (v) rows.push(`<tr><td>${k}</td><td>${esc(v)}</td></tr>`);
  };
  row('message', c.message);
  row('cause', c.cause);
  if (strictFailing) row('strict', 'skipped, and not allowed to skip (--allow-skip): fails the run');
  row('evidence', c.evidence);
  if (c.waitedMs) row('waited', `${seconds(c.waitedMs)} for the Sovereign to converge`);
  row('tags', c.tags.join(' '));
  row('started', c.startedAt);
  const steps = d?.steps.length ? `<p>steps</p><ol>${d.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>` : '';
  const files = (d?.attachments ?? [])
    .map((a) => (a.contentType.startsWith('image/') ? `<p>${esc(a.name)}</p><img src="${esc(a.file)}" alt="${esc(a.name)}">` : `<p><a href="${esc(a.file)}">${esc(a.name)}</a> (${esc(a.contentType)})</p>`))
    .join('');
  const transcript = d?.transcript ? `<p>transcript</p><pre>${esc(d.transcript)}</pre>` : '';
  const open = c.status === 'failed' || strictFailing ? ' open' : '';
  return `<details${open} id="${esc(c.id)}"><summary><span class="${c.status}">${MARK[c.status]}</span> <code>${esc(c.id)}</code> ${esc(c.title.replace(/^[^:]+: /, ''))} <small>${seconds(c.durationMs)}</small></summary><table>${rows.join('')}</table>${steps}${files}${transcript}</details>`;
}

/** The report's `index.html`. */
export function renderHtml(summary: Summary, details: ReadonlyMap<string, HtmlCheckDetail>): string {
  const failing = new Set(summary.strict?.failing ?? []);
  const roots = summary.rootCauses
    .map((r) => `<div class="root"><b>${esc(r.title)}</b> <code>${esc(r.id)}</code>${r.detail ? `<br>${esc(r.detail)}` : ''}<br>next: ${esc(r.next)}<br><small>seen by ${r.checks.map((id) => `<a href="#${esc(id)}">${esc(id)}</a>`).join(', ')}</small></div>`)
    .join('');
  const order: Record<CheckSummary['status'], number> = { failed: 0, skipped: 1, passed: 2 };
  const checks = [...summary.checks].sort((a, b) => order[a.status] - order[b.status] || a.id.localeCompare(b.id));
  const facts = Object.entries(summary.provenance).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('');
  const effects = summary.sideEffects.length ? `<ul>${summary.sideEffects.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : '<p>none</p>';
  const { passed, failed, skipped } = summary.counts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>sovereign-smoke: ${esc(summary.sovereign)} ${summary.verdict}</title><style>${STYLE}</style></head>
<body><h1>sovereign-smoke: <code>${esc(summary.sovereign)}</code> (${esc(summary.fqdn)}) <span class="${summary.verdict}">${summary.verdict}</span></h1>
<p>${passed} passed, ${failed} failed, ${skipped} skipped · started ${esc(summary.startedAt)} · ${seconds(summary.durationMs)}${summary.strict?.on ? ' · strict' : ''}</p>
${roots ? `<h2>Root causes</h2>${roots}` : ''}
<h2>Checks</h2>${checks.map((c) => checkSection(c, details.get(c.id), failing.has(c.id))).join('\n')}
<h2>Side effects on the Sovereign</h2>${effects}
<h2>Provenance</h2><table>${facts}</table>
</body></html>
`;
}

/** Writes `html/index.html` under `reportDir` (the attachments are already in `html/data/`). */
export function writeHtmlReport(reportDir: string, summary: Summary, details: ReadonlyMap<string, HtmlCheckDetail>): string {
  const dir = join(reportDir, 'html');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.html');
  writeFileSync(file, renderHtml(summary, details));
  return file;
}

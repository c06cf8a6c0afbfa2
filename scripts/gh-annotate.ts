/**
 * `scripts/gh-annotate.ts`: turns a run's report into GitHub Actions annotations and a job summary.
 *
 * - `gh-annotate.ts [--log FILE] REPORT_DIR`: reads `REPORT_DIR/summary.json` (one Sovereign) or
 *   `REPORT_DIR/fleet.json` (a `scripts/smoke --sovereign a,b,c` run), prints one
 *   `::error title=…::…` per root cause (naming the checks that saw it: ten red checks with one cause
 *   are one annotation), one per failure no cause explains, one saying what was not checked (an error
 *   when strict mode fails the run for it, a warning otherwise), and appends `summary.md` (or
 *   `fleet.md`) to `$GITHUB_STEP_SUMMARY`. A run that left no report gets one error quoting the end
 *   of `--log` (e.g. the invalid-configuration message).
 * - `gh-annotate.ts --fleet-of DIR --expect a,b,c [--artifact-prefix P]`: builds the Sovereign × check
 *   matrix from the per-Sovereign artifacts of a matrix workflow (downloaded into `DIR/P<name>/`),
 *   writes it to the job summary, and exits 1 when any Sovereign failed or left no report.
 *
 * Everything printed or written goes through {@link scrub} ({@link redact} plus token shapes), with
 * the credentials found in the environment registered first, so no secret reaches a log, an annotation or the job summary.
 *
 * Exit codes: 0 annotated (the smoke step itself carries the run's verdict), 1 no usable report (or,
 * with `--fleet-of`, a failed Sovereign), 2 usage error.
 *
 * @module
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAUSES, isCauseId } from '../report/causes.js';
import { redact, registerSecret } from '../report/redact.js';
import type { CheckSummary, RootCause, Summary } from '../report/reporter.js';
import { notCheckedLine } from '../report/terminal.js';
import { renderFleetMarkdown, type FleetEntry, type FleetSummary } from './fleet.js';

/** GitHub shows at most 10 error annotations per step; the rest are dropped silently. */
export const MAX_ERRORS_PER_STEP = 10;
/** GitHub's limit on the job summary written by one step is 1 MiB. */
const MAX_STEP_SUMMARY_BYTES = 1_000_000;
const LOG_TAIL_LINES = 15;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A Hetzner Cloud token's shape (64 letters and digits, mixed case), for tokens nobody registered.
 * Pure hex (commit and certificate hashes) never matches, since it has no upper-case letter.
 */
const HCLOUD_TOKEN_SHAPE = /\b(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{64}\b/g;

/** {@link redact} plus the token shapes that only CI output needs to worry about. */
export function scrub(text: string): string {
  return redact(text).replace(HCLOUD_TOKEN_SHAPE, '[redacted token-shaped value]');
}

/** Escapes the message part of a workflow command (after the second `::`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value of a workflow command (`title=…`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line, redacted and escaped. */
export function command(kind: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${kind} title=${escapeProperty(scrub(title).slice(0, 250))}::${escapeData(scrub(message))}`;
}

/**
 * Registers the credentials a CI job hands the suite, so that {@link redact} hides them even if a
 * report quoted one: the Hetzner token, the Keycloak SA secret, the signing key (inline or the lines
 * of its file) and the credential values inside the kubeconfig.
 */
export function registerEnvironmentSecrets(env: Env): void {
  for (const name of ['HCLOUD_TOKEN', 'SMOKE_KC_SA_CLIENT_SECRET', 'SMOKE_HANDOVER_KEY']) registerSecret(env[name], name);
  const fileLines = (path: string | undefined): string[] => {
    if (!path) return [];
    try {
      return readFileSync(path, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  for (const line of fileLines(env['SMOKE_HANDOVER_KEY_FILE'])) {
    const v = line.trim();
    if (v.length >= 16 && !v.startsWith('-----')) registerSecret(v, 'signing key');
  }
  const kubeconfig = (env['KUBECONFIG'] ?? '').split(':')[0];
  for (const line of fileLines(kubeconfig)) {
    const m = /^[\s-]*(token|client-key-data|client-certificate-data|password|id-token|refresh-token):\s*"?([^"\s]+)"?\s*$/.exec(line);
    if (m?.[2]) registerSecret(m[2], `kubeconfig ${m[1] ?? 'credential'}`);
  }
}

function causeTitle(check: CheckSummary): string {
  if (check.causeId && isCauseId(check.causeId)) return CAUSES[check.causeId].title;
  return 'unclassified failure';
}

interface Failure {
  sovereign: string;
  check: CheckSummary;
}

/** The error annotation for one failed check: the title names the Sovereign, the check and the root cause. */
export function failureAnnotation({ sovereign, check }: Failure): string {
  const cause = check.causeId ? ` [${check.causeId}]` : '';
  const title = `${sovereign} ${check.id}: ${causeTitle(check)}${cause}`;
  const message = `${check.message ?? 'failed'}\nRoot cause: ${check.cause ?? 'unclassified failure'}`;
  return command('error', title, message);
}

/**
 * Orders failures so that each distinct root cause of each Sovereign comes first (GitHub keeps only
 * the first ten), then folds whatever exceeds the limit into one last error listing the rest.
 */
export function failureAnnotations(failures: Failure[], limit = MAX_ERRORS_PER_STEP): string[] {
  const seen = new Set<string>();
  const first: Failure[] = [];
  const rest: Failure[] = [];
  // A check that saw the root cause itself represents it better than one that saw a symptom of it.
  const symptom = (f: Failure): number => (f.check.cause?.includes('[seen by this check as:') ? 1 : 0);
  for (const f of [...failures].sort((a, b) => symptom(a) - symptom(b))) {
    const key = `${f.sovereign}\u0000${f.check.causeId ?? f.check.id}`;
    (seen.has(key) ? rest : first).push(f);
    seen.add(key);
  }
  const ordered = [...first, ...rest];
  if (ordered.length <= limit) return ordered.map(failureAnnotation);
  const shown = ordered.slice(0, limit - 1);
  const hidden = ordered.slice(limit - 1);
  return [
    ...shown.map(failureAnnotation),
    command(
      'error',
      `${hidden.length} more failed checks`,
      `GitHub shows ${limit} errors per step; the others are in the job summary and the report artifact:\n${hidden.map((f) => `${f.sovereign} ${f.check.id} [${f.check.causeId ?? 'unclassified'}]`).join('\n')}`,
    ),
  ];
}

function countsLine(s: Summary): string {
  const skipped = s.checks.filter((c) => c.status === 'skipped');
  const why = [...new Set(skipped.map((c) => c.message ?? 'skipped'))].slice(0, 3);
  return `${s.counts.passed} passed, ${s.counts.failed} failed, ${s.counts.skipped} skipped` + (why.length ? `\nSkipped: ${why.join('; ')}` : '');
}

/** The error annotation for one root cause: the Sovereign, the cause, the checks that saw it, the next step. */
export function rootCauseAnnotation(sovereign: string, rc: RootCause, checks: CheckSummary[]): string {
  const own = checks.find((c) => rc.checks[0] === c.id);
  const message = [
    `Seen by ${rc.checks.length} check${rc.checks.length === 1 ? '' : 's'}: ${rc.checks.join(', ')}`,
    rc.detail ? `Detail: ${rc.detail}` : '',
    `Next: ${rc.next}`,
    own?.message ? `${own.id} saw: ${own.message}` : '',
  ].filter(Boolean).join('\n');
  return command('error', `${sovereign}: ${rc.title} [${rc.id}]`, message);
}

/**
 * What was not checked: one annotation listing every skipped check with its reason and what would make
 * it run. An error when strict mode fails the run for any of them, a warning otherwise.
 */
export function notCheckedAnnotation(s: Summary): string | undefined {
  const skipped = s.checks.filter((c) => c.status === 'skipped');
  if (!skipped.length) return undefined;
  const failing = s.strict?.failing ?? [];
  const lines = skipped.map((c) => `${failing.includes(c.id) ? '✗' : '-'} ${notCheckedLine(c)}`);
  if (failing.length) {
    lines.push(`Strict mode fails the run for ${failing.join(', ')}; if you knowingly cannot run ${failing.length === 1 ? 'it' : 'them'}, pass allow-skip: ${failing.join(',')}`);
  } else if (!s.strict?.on) {
    lines.push('Not strict: these skips did not fail the run.');
  }
  const kind = failing.length ? 'error' : 'warning';
  return command(kind, `${s.sovereign}: ${skipped.length} check${skipped.length === 1 ? '' : 's'} not checked${failing.length ? ' (strict mode fails the run)' : ''}`, lines.join('\n'));
}

/**
 * The errors of one Sovereign's summary: one per root cause (the linked one, first), then one per
 * failure no cause explains, then what was not checked.
 */
function summaryErrors(s: Summary, name = s.sovereign): string[] {
  const out = s.rootCauses.map((rc) => rootCauseAnnotation(name, rc, s.checks));
  const unexplained = s.checks.filter((c) => c.status === 'failed' && !(c.causeId && s.rootCauses.some((r) => r.id === c.causeId)));
  out.push(...unexplained.map((check) => failureAnnotation({ sovereign: name, check })));
  const nc = notCheckedAnnotation({ ...s, sovereign: name });
  if (nc) out.push(nc);
  return out;
}

/** Folds what exceeds GitHub's per-step limit into one last error naming the rest. */
function limitErrors(errors: string[], limit = MAX_ERRORS_PER_STEP): string[] {
  if (errors.length <= limit) return errors;
  const hidden = errors.slice(limit - 1).map((l) => /^::\w+ title=([^:]*)::/.exec(l)?.[1] ?? '').map((t) => t.replace(/%3A/g, ':').replace(/%2C/g, ','));
  return [...errors.slice(0, limit - 1), command('error', `${hidden.length} more annotations`, `GitHub shows ${limit} errors per step; the others are in the job summary and the report artifact:\n${hidden.join('\n')}`)];
}

/** Annotations for one Sovereign's summary: an error per root cause, what was not checked, one closing notice. */
export function annotateSummary(s: Summary): string[] {
  const roots = s.rootCauses.map((r) => r.id).join(', ');
  const notChecked = s.strict?.failing.length ? `not checked in strict mode: ${s.strict.failing.join(', ')}` : '';
  const verdict = s.verdict === 'passed' ? 'passed' : `failed${roots || notChecked ? ` (${[roots ? `root cause: ${roots}` : '', notChecked].filter(Boolean).join('; ')})` : ''}`;
  return [...limitErrors(summaryErrors(s)), command('notice', `Sovereign ${s.sovereign} (${s.fqdn}) ${verdict}`, countsLine(s))];
}

/** Annotations for a fleet: every Sovereign's root causes, Sovereigns without a report, one notice. */
export function annotateFleet(f: FleetSummary): string[] {
  const errors: string[] = [];
  const missing: string[] = [];
  for (const e of f.sovereigns) {
    if (e.summary) errors.push(...summaryErrors(e.summary, e.name));
    if (!e.summary) {
      missing.push(command('error', `Sovereign ${e.name}: no report`, `${e.error ?? 'the run produced no summary.json'}\nSee this Sovereign's log lines (prefixed [${e.name}]) and its report directory ${e.reportDir}.`));
    } else if (e.verdict === 'failed' && e.summary.counts.failed === 0) {
      missing.push(command('error', `Sovereign ${e.name}: the run failed without a failed check`, e.error ?? `the suite exited non-zero; see ${e.reportDir}`));
    }
  }
  const passed = f.sovereigns.filter((e) => e.verdict === 'passed').map((e) => e.name);
  const failed = f.sovereigns.filter((e) => e.verdict !== 'passed').map((e) => e.name);
  return [
    ...missing,
    ...limitErrors(errors, Math.max(1, MAX_ERRORS_PER_STEP - missing.length)),
    command('notice', `Fleet: ${passed.length}/${f.sovereigns.length} Sovereigns passed`, `passed: ${passed.join(', ') || 'none'}\nfailed: ${failed.join(', ') || 'none'}`),
  ];
}

function isSummary(x: unknown): x is Summary {
  const s = x as Partial<Summary> | null;
  return !!s && typeof s.sovereign === 'string' && Array.isArray(s.checks) && typeof s.counts === 'object' && Array.isArray(s.rootCauses);
}

function isFleet(x: unknown): x is FleetSummary {
  const f = x as Partial<FleetSummary> | null;
  return !!f && Array.isArray(f.sovereigns) && f.sovereigns.every((e) => typeof e?.name === 'string' && (e.summary === undefined || isSummary(e.summary)));
}

export type Report =
  | { kind: 'summary'; summary: Summary; markdown: string | undefined }
  | { kind: 'fleet'; fleet: FleetSummary; markdown: string | undefined }
  | { kind: 'none'; problem: string };

function readJson(path: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(readFileSync(path, 'utf8')) as unknown };
  } catch (err) {
    return { ok: false, problem: `${path} is not readable JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})` };
  }
}

function readOptional(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Loads a report directory: `fleet.json` wins over `summary.json`. */
export function loadReport(dir: string): Report {
  for (const [file, kind] of [['fleet.json', 'fleet'], ['summary.json', 'summary']] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const json = readJson(path);
    if (!json.ok) return { kind: 'none', problem: json.problem };
    if (kind === 'fleet') {
      if (!isFleet(json.value)) return { kind: 'none', problem: `${path} does not have the shape of a fleet report` };
      return { kind, fleet: json.value, markdown: readOptional(join(dir, 'fleet.md')) };
    }
    if (!isSummary(json.value)) return { kind: 'none', problem: `${path} does not have the shape of a run summary` };
    return { kind, summary: json.value, markdown: readOptional(join(dir, 'summary.md')) };
  }
  return { kind: 'none', problem: `no summary.json or fleet.json in ${dir}` };
}

/**
 * Assembles a fleet from a matrix workflow's downloaded artifacts: `DIR/<prefix><name>/summary.json`
 * for each expected name (or `DIR/summary.json` when only one artifact was downloaded, which
 * download-artifact extracts without a sub-directory). A name without a report is a failed entry.
 */
export function collectFleet(dir: string, expected: string[], prefix = ''): FleetSummary {
  const names = expected.length
    ? expected
    : existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name.startsWith(prefix)).map((d) => d.name.slice(prefix.length)).sort()
      : [];
  const single = existsSync(join(dir, 'summary.json')) ? loadReport(dir) : undefined;
  const entries: FleetEntry[] = names.map((name) => {
    const sub = join(dir, `${prefix}${name}`);
    let report = existsSync(sub) ? loadReport(sub) : undefined;
    if (!report && single?.kind === 'summary' && (single.summary.sovereign === name || single.summary.fqdn === name || name.split('.')[0] === single.summary.sovereign)) {
      report = single;
    }
    if (report?.kind === 'summary') {
      const s = report.summary;
      return { name, fqdn: s.fqdn, verdict: s.verdict === 'passed' ? 'passed' : 'failed', reportDir: sub, summary: s };
    }
    const error = report?.kind === 'none' ? report.problem : `no report for ${name}: its job uploaded no artifact ${prefix}${name} (it failed before the suite ran, or was cancelled); see that job's log`;
    return { name, fqdn: name.includes('.') ? name : '', verdict: 'failed', reportDir: sub, error };
  });
  return { startedAt: new Date().toISOString(), verdict: entries.length > 0 && entries.every((e) => e.verdict === 'passed') ? 'passed' : 'failed', sovereigns: entries };
}

/** The last lines of a log, redacted, for a run that left no report. */
export function logTail(path: string | undefined, lines = LOG_TAIL_LINES): string | undefined {
  if (!path || !existsSync(path)) return undefined;
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters
  const text = readFileSync(path, 'utf8').replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  const tail = text.split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(-lines);
  return tail.length ? scrub(tail.join('\n')) : undefined;
}

/** Appends markdown to `$GITHUB_STEP_SUMMARY` (when set), redacted and within GitHub's size limit. */
export function appendStepSummary(env: Env, markdown: string): void {
  const path = env['GITHUB_STEP_SUMMARY'];
  if (!path) return;
  let text = scrub(markdown);
  if (Buffer.byteLength(text) > MAX_STEP_SUMMARY_BYTES) {
    text = `${Buffer.from(text).subarray(0, MAX_STEP_SUMMARY_BYTES - 200).toString('utf8')}\n\n… truncated (GitHub's job summary limit); the full summary is in the report artifact.\n`;
  }
  appendFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}

export const USAGE = `usage: node --import tsx scripts/gh-annotate.ts [--log FILE] REPORT_DIR
       node --import tsx scripts/gh-annotate.ts --fleet-of DIR [--expect NAME,NAME…] [--artifact-prefix PREFIX]`;

interface Args {
  reportDir?: string;
  log?: string;
  fleetOf?: string;
  expect: string[];
  prefix: string;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { expect: [], prefix: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = (): string | undefined => argv[++i];
    if (a === '--log') args.log = value();
    else if (a === '--fleet-of') args.fleetOf = value();
    else if (a === '--expect') args.expect = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--artifact-prefix') args.prefix = value() ?? '';
    else if (a.startsWith('-')) return `unknown option ${a}`;
    else if (args.reportDir === undefined) args.reportDir = a;
    else return `unexpected argument ${a}`;
  }
  if (!args.fleetOf === !args.reportDir) return 'name either a REPORT_DIR or --fleet-of DIR';
  return args;
}

/** Runs the command; `write` receives stdout lines (the workflow commands). Returns the exit code. */
export function main(argv: string[], env: Env = process.env, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): number {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`gh-annotate: ${args}\n${USAGE}\n`);
    return 2;
  }
  registerEnvironmentSecrets(env);

  if (args.fleetOf) {
    const fleet = collectFleet(resolve(args.fleetOf), args.expect, args.prefix);
    // Each matrix job annotated its own checks already; here only what the matrix jobs could not say.
    for (const e of fleet.sovereigns.filter((x) => !x.summary)) write(command('error', `Sovereign ${e.name}: no report`, e.error ?? 'no report'));
    const passed = fleet.sovereigns.filter((e) => e.verdict === 'passed').length;
    const kind = fleet.verdict === 'passed' ? 'notice' : 'error';
    const failed = fleet.sovereigns.filter((e) => e.verdict !== 'passed').map((e) => e.name);
    write(command(kind, `Fleet: ${passed}/${fleet.sovereigns.length} Sovereigns passed`, failed.length ? `failed: ${failed.join(', ')}` : 'every Sovereign passed'));
    appendStepSummary(env, renderFleetMarkdown(fleet));
    return fleet.verdict === 'passed' ? 0 : 1;
  }

  const dir = resolve(args.reportDir ?? '.');
  const report = loadReport(dir);
  if (report.kind === 'none') {
    const tail = logTail(args.log);
    write(command('error', 'sovereign-smoke: the run left no report', `${report.problem}${tail ? `\nLast lines of the run:\n${tail}` : ''}`));
    appendStepSummary(env, `# ❌ sovereign-smoke left no report\n\n${report.problem}\n${tail ? `\n\`\`\`\n${tail.replace(/```/g, "'''")}\n\`\`\`\n` : ''}`);
    return 1;
  }
  if (report.kind === 'summary') {
    for (const line of annotateSummary(report.summary)) write(line);
    appendStepSummary(env, report.markdown ?? `# Sovereign ${report.summary.sovereign}: ${report.summary.verdict}\n\n${countsLine(report.summary)}\n`);
  } else {
    for (const line of annotateFleet(report.fleet)) write(line);
    appendStepSummary(env, report.markdown ?? renderFleetMarkdown(report.fleet));
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

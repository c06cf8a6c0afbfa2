/**
 * The CLI's arguments (contract §1): the usage text and `parseArgs`, which checks every flag at once
 * and throws a {@link UsageError} listing each problem (exit 2 before anything runs).
 *
 * @module
 */
import { parseDuration } from '../clients/config.js';

export const USAGE = `usage: scripts/smoke [--sovereign NAME|FQDN[,…] [--env-file FILE] | --env-file FILE[,FILE…] | --sim [SCENARIO[,SCENARIO…]]]
                    [--grep RE] [--grep-invert RE] [--await DURATION] [--report-dir DIR] [--strict]
                    [--allow-skip ID,…] [--list] [--trace off|on|retain-on-failure] [--concurrency N]
                    [--engine direct|playwright]

  --sovereign NAME   load sovereigns/NAME.env (dotenv) and set SMOKE_SOVEREIGN=NAME; an FQDN
                     (otech64.omani.works) loads sovereigns/otech64.env when it exists and is SOVEREIGN_FQDN
  --env-file FILE    load FILE (dotenv) instead; with --sovereign, FILE's settings go over the Sovereign's file
  --sim [SCENARIO]   start the simulated Sovereign (healthy unless a scenario is named) and run against it
                     (no target at all, and no SOVEREIGN_FQDN: the healthy simulator, except under CI=true)
  --grep RE          run only checks whose id, title or tag matches (e.g. @edge, handover.)
  --grep-invert RE   leave out checks that match (a left-out check is not "skipped")
  --await DURATION   budget for a converging Sovereign (SMOKE_AWAIT), e.g. 90s, 15m
  --report-dir DIR   where reports go (SMOKE_REPORT_DIR, default ./smoke-report)
  --strict           a skipped check fails the run (SMOKE_STRICT=true), naming why it was skipped
  --allow-skip IDS   strict mode: accept these checks being skipped (SMOKE_ALLOW_SKIP), e.g. handover.login
  --list             print the checks that would run (id, tags, needs, title); run nothing
  --trace MODE       browser traces (SMOKE_TRACE); scrubbed of secrets before they are written
  --concurrency N    fleet runs: how many Sovereigns at once (default 2)
  --engine ENGINE    who judges the checks (SMOKE_ENGINE): direct (default: in one process, scripts/engine.ts)
                     or playwright (Playwright Test runs the specs in tests/, with Playwright's HTML report)
Several comma-separated names make a fleet run: one report per Sovereign plus fleet.md and fleet.json.
Environment variables win over dotenv files. Exit: 0 all passed, 1 a check failed (or, strict, was
skipped), 2 invalid configuration.`;

export type Target =
  | { kind: 'environment' }
  | { kind: 'sovereign'; name: string }
  | { kind: 'env-file'; path: string }
  | { kind: 'sim'; scenario: string };

export interface CliOptions {
  targets: Target[];
  /** `--env-file` given with `--sovereign`: settings layered over each Sovereign's own file. */
  settings: string[];
  strict: boolean;
  allowSkip?: string;
  grep?: string;
  grepInvert?: string;
  await?: string;
  reportDir?: string;
  trace?: string;
  engine?: string;
  concurrency: number;
  list: boolean;
  help: boolean;
}

export class UsageError extends Error {}

/** Parses argv (without node and script). Throws {@link UsageError} with every problem. */
export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { targets: [], settings: [], strict: false, concurrency: 2, list: false, help: false };
  const problems: string[] = [];
  const kinds = new Set<string>();
  const split = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        problems.push(`${flag} needs a value`);
        return undefined;
      }
      i++;
      return next;
    };
    switch (flag) {
      case '--sovereign': {
        const v = value();
        if (v !== undefined) for (const name of split(v)) opts.targets.push({ kind: 'sovereign', name });
        kinds.add(flag);
        break;
      }
      case '--env-file': {
        const v = value();
        if (v !== undefined) for (const path of split(v)) opts.targets.push({ kind: 'env-file', path });
        kinds.add(flag);
        break;
      }
      case '--sim': {
        // The scenario is optional: `--sim` alone is the healthy simulator.
        let v = inline;
        if (v === undefined && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('-')) v = argv[++i];
        for (const scenario of v ? split(v) : ['healthy']) opts.targets.push({ kind: 'sim', scenario });
        kinds.add(flag);
        break;
      }
      case '--grep':
        opts.grep = value();
        break;
      case '--grep-invert':
        opts.grepInvert = value();
        break;
      case '--await': {
        const v = value();
        if (v !== undefined && parseDuration(v) === undefined) problems.push(`--await "${v}" is not a duration (e.g. 90s, 15m)`);
        opts.await = v;
        break;
      }
      case '--report-dir':
        opts.reportDir = value();
        break;
      case '--trace':
        opts.trace = value();
        break;
      case '--engine':
        opts.engine = value();
        break;
      case '--concurrency': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1) problems.push('--concurrency needs a whole number ≥ 1');
        else opts.concurrency = v;
        break;
      }
      case '--list':
        opts.list = true;
        break;
      case '--strict':
        opts.strict = true;
        break;
      case '--allow-skip': {
        const v = value();
        if (v !== undefined) {
          // Checked against the registry before anything runs (allowSkipProblems), with SMOKE_ALLOW_SKIP.
          opts.allowSkip = split(v).join(',');
        }
        break;
      }
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        problems.push(`unknown argument "${arg}"`);
    }
  }
  // `--sovereign X --env-file F`: F holds settings for X (the workflow's caller settings), not a target.
  if (kinds.has('--sovereign') && kinds.has('--env-file') && !kinds.has('--sim')) {
    opts.settings = opts.targets.flatMap((t) => (t.kind === 'env-file' ? [t.path] : []));
    opts.targets = opts.targets.filter((t) => t.kind !== 'env-file');
    kinds.delete('--env-file');
  }
  if (kinds.size > 1) problems.push(`${[...kinds].join(' and ')} name targets two ways; use one`);
  for (const r of [opts.grep, opts.grepInvert]) {
    if (r === undefined) continue;
    try {
      new RegExp(r);
    } catch {
      problems.push(`"${r}" is not a regular expression`);
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  return opts;
}

/**
 * Runs the real CLI (or Playwright itself) for self-tests, with a clean target environment and a
 * deadline. Every child runs in its own process group; when it exits, or its deadline passes, the
 * group is killed, so nothing it started can hold a pipe open and keep a self-test (and CI) waiting.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Summary } from '../report/reporter.js';
import { untargetedEnv } from '../scripts/targets.js';

const ROOT = resolve(import.meta.dirname, '..');

/** How long a self-test's child may run before it is killed (a whole suite run takes 5-15 s). */
export const CHILD_DEADLINE_MS = 150_000;

export interface Finished {
  code: number | null;
  /** stdout and stderr, interleaved as they arrived. */
  out: string;
  stdout: string;
  stderr: string;
  /** The deadline passed and the process group was killed. */
  timedOut: boolean;
  ms: number;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawns `cmd` in a new process group and collects its output. Resolves when it has exited and its
 * pipes are drained (at most 2 s after the exit), or when `deadlineMs` has passed: then the group gets
 * SIGTERM, SIGKILL 3 s later, and `out` ends with a line saying so.
 */
export function runProcess(cmd: string, args: string[], opts: { env: Record<string, string | undefined>; cwd?: string; deadlineMs?: number }): Promise<Finished> {
  const started = Date.now();
  const deadlineMs = opts.deadlineMs ?? CHILD_DEADLINE_MS;
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env as NodeJS.ProcessEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      out += d.toString();
    });
    const finish = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(grace);
      killGroup(child.pid, 'SIGKILL'); // whatever it left behind
      if (timedOut) out += `\n[selftest] ${cmd} ${args.join(' ')}: killed after ${deadlineMs} ms without exiting\n`;
      done({ code, out, stdout, stderr, timedOut, ms: Date.now() - started });
    };
    let exitCode: number | null | undefined;
    let grace: NodeJS.Timeout | undefined;
    let openPipes = 2;
    const pipeClosed = (): void => {
      openPipes -= 1;
      if (openPipes === 0 && exitCode !== undefined) finish(exitCode);
    };
    child.stdout.once('close', pipeClosed);
    child.stderr.once('close', pipeClosed);
    const deadline = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      grace = setTimeout(() => finish(null), 3_000);
    }, deadlineMs);
    child.on('error', (err) => {
      out += `\n[selftest] could not start ${cmd}: ${err.message}\n`;
      finish(null);
    });
    child.on('exit', (code) => {
      exitCode = code;
      if (openPipes === 0) finish(code);
      // 'close' waits for every holder of the pipes; a grandchild may hold them forever.
      else grace = setTimeout(() => finish(code), 2_000);
    });
  });
}

/** Runs Playwright (`playwright test …`) against whatever `env` targets. */
export function runPlaywright(args: string[], env: Record<string, string | undefined>, deadlineMs?: number): Promise<Finished> {
  return runProcess(join(ROOT, 'node_modules/.bin/playwright'), ['test', ...args], { env: { ...untargetedEnv(), ...env }, ...(deadlineMs ? { deadlineMs } : {}) });
}

/**
 * Runs the in-process engine (scripts/engine.ts, what scripts/smoke runs by default) against whatever
 * `env` targets, compiled as the CLI runs it (scripts/build.ts).
 */
export async function runEngine(args: string[], env: Record<string, string | undefined>, deadlineMs?: number): Promise<Finished> {
  const { ensureBuild } = await import('../scripts/build.js');
  const dir = await ensureBuild();
  return runProcess(process.execPath, [join(dir, 'engine.js'), ...args], { env: { ...untargetedEnv(), ...env }, ...(deadlineMs ? { deadlineMs } : {}) });
}

/** The summary.json a run wrote, if any. */
export function readSummary(reportDir: string): Summary | undefined {
  try {
    return JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as Summary;
  } catch {
    return undefined;
  }
}

/** The last `n` lines of a run's output, for an assertion message. */
export function tail(out: string, n = 30): string {
  return `\n${out.split('\n').slice(-n).join('\n')}`;
}

export interface SmokeRun {
  status: number | null;
  stdout: string;
  stderr: string;
  summary: Summary | undefined;
  ms: number;
  timedOut: boolean;
}

/** Runs scripts/smoke with a clean environment plus `env`. */
export async function runSmoke(args: string[], env: Record<string, string> = {}): Promise<SmokeRun> {
  const r = await runProcess(join(ROOT, 'scripts/smoke'), args, { env: { ...untargetedEnv(), ...env } });
  const i = args.indexOf('--report-dir');
  const summary = readSummary(resolve(ROOT, (i >= 0 ? args[i + 1] : undefined) ?? 'smoke-report'));
  return { status: r.code, stdout: r.stdout, stderr: r.timedOut ? `${r.stderr}${r.out.slice(r.out.lastIndexOf('\n[selftest]'))}` : r.stderr, summary, ms: r.ms, timedOut: r.timedOut };
}

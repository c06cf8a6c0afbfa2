/**
 * Shared by scripts/bench and scripts/flake: run scripts/smoke once and measure it (wall time, peak
 * memory of the whole process tree, the summary).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Summary } from '../report/reporter.js';
import { untargetedEnv } from './targets.js';

export const ROOT = resolve(import.meta.dirname, '..');

export interface Measured {
  exitCode: number;
  /** When the CLI was started (ms since the epoch). */
  startedAtMs: number;
  wallMs: number;
  peakRssBytes: number;
  /** User + system CPU time of the whole process tree (every process the run started and waited for). */
  cpuMs: number;
  summary: Summary | undefined;
}

/** RSS of `pid` and all its descendants, from /proc (Linux). */
function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pages = Number(fields[21]);
      rss.set(Number(entry), pages * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop() as number;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** `times` output of bash: the children's line, `0m1.234s 0m0.567s`, as ms. */
function childrenCpuMs(times: string): number {
  const line = times.trim().split('\n')[1] ?? '';
  return line.split(/\s+/).reduce((sum, t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return sum + (m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : 0);
  }, 0);
}

/**
 * Runs `scripts/smoke args` with a clean target environment plus `env`, sampling memory every 100 ms.
 * It runs under bash, whose `times` gives the CPU time of the whole tree once the run is over (each
 * process waits for its children: Playwright for its workers, a worker for Chromium).
 */
export function measure(args: string[], reportDir: string, env: Record<string, string> = {}): Promise<Measured> {
  const clean = untargetedEnv();
  const started = Date.now();
  return new Promise((done) => {
    const script = '"$0" "$@"; rc=$?; times >&2; exit $rc';
    const child = spawn('bash', ['-c', script, join(ROOT, 'scripts/smoke'), ...args, '--report-dir', reportDir], { cwd: ROOT, env: { ...clean, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-4096);
    });
    let peak = 0;
    // Memory sampling of a running process: a measurement interval, not a wait.
    const sampler = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRss(child.pid));
    }, 100);
    child.on('close', (code) => {
      clearInterval(sampler);
      let summary: Summary | undefined;
      try {
        summary = JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')) as Summary;
      } catch {
        summary = undefined;
      }
      const times = stderr.trim().split('\n').slice(-2).join('\n');
      done({ exitCode: code ?? 1, startedAtMs: started, wallMs: Date.now() - started, peakRssBytes: peak, cpuMs: childrenCpuMs(times), summary });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

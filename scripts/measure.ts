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
import { untargetedEnv } from './smoke.js';

export const ROOT = resolve(import.meta.dirname, '..');

export interface Measured {
  exitCode: number;
  /** When the CLI was started (ms since the epoch). */
  startedAtMs: number;
  wallMs: number;
  peakRssBytes: number;
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

/** Runs `scripts/smoke args` with a clean target environment plus `env`, sampling memory every 100 ms. */
export function measure(args: string[], reportDir: string, env: Record<string, string> = {}): Promise<Measured> {
  const clean = untargetedEnv();
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(join(ROOT, 'scripts/smoke'), [...args, '--report-dir', reportDir], { cwd: ROOT, env: { ...clean, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'ignore'] });
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
      done({ exitCode: code ?? 1, startedAtMs: started, wallMs: Date.now() - started, peakRssBytes: peak, summary });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

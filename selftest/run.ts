/**
 * Runs the real CLI for self-tests, with a clean target environment.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Summary } from '../fixtures/reporter.js';
import { untargetedEnv } from '../scripts/smoke.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface SmokeRun {
  status: number | null;
  stdout: string;
  stderr: string;
  summary: Summary | undefined;
  ms: number;
}

/** Runs scripts/smoke with a clean environment plus `env`. */
export function runSmoke(args: string[], env: Record<string, string> = {}): Promise<SmokeRun> {
  const clean = untargetedEnv();
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(join(ROOT, 'scripts/smoke'), args, { cwd: ROOT, env: { ...clean, ...env } as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => {
      const i = args.indexOf('--report-dir');
      let summary: Summary | undefined;
      try {
        summary = JSON.parse(readFileSync(join(args[i + 1] ?? 'smoke-report', 'summary.json'), 'utf8')) as Summary;
      } catch {
        summary = undefined;
      }
      done({ status, stdout, stderr, summary, ms: Date.now() - started });
    });
  });
}

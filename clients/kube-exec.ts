/**
 * exec over WebSocket: the `pods/exec` subresource with the channel protocols v5/v4 (one byte of
 * channel, then the payload: 1 stdout, 2 stderr, 3 the Status that ends the command), used to read a
 * Pod's live environment. Split from clients/kube.ts; the client calls {@link execOverWebSocket}.
 *
 * @module
 */
import type * as https from 'node:https';
import WebSocket from 'ws';
import { describeError, KubeError } from '../report/errors.js';
import { record } from '../report/transcript.js';
import type { KubeEndpoint } from './kubeconfig.js';
import { codeForStatus, parseStatus, type KubeStatus } from './kube-status.js';
import { deadline } from './deadline.js';

/** Result of {@link execOverWebSocket}. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a command in a container over the exec WebSocket, bounded by `timeoutMs`, and resolves with
 * its output and exit code (0 on Success). A command the container cannot start resolves with 126/127
 * and the runtime's message on stderr; refusals (401/403/404) and transport failures throw
 * {@link KubeError}.
 */
export async function execOverWebSocket(endpoint: KubeEndpoint, timeoutMs: number, namespace: string, pod: string, container: string, command: string[]): Promise<ExecResult> {
  const server = endpoint.server;
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', container);
  q.set('stdout', 'true');
  q.set('stderr', 'true');
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${q.toString()}`;
  const wsUrl = `${server.replace(/^http/, 'ws').replace(/\/$/, '')}${path}`;
  const opts: https.RequestOptions = {};
  await endpoint.apply(opts);
  const shown = `exec ${namespace}/${pod} -c ${container} -- ${command.join(' ')}`;
  const started = Date.now();
  return new Promise<ExecResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let status: KubeStatus | undefined;
    let settled = false;
    const done = (err: KubeError | undefined, result?: ExecResult): void => {
      if (settled) return;
      settled = true;
      cancelDeadline();
      record(`KUBE ${shown} -> ${err ? `error ${err.message}` : `exit ${result?.exitCode}`} (${Date.now() - started}ms)`);
      if (err) reject(err);
      else if (result) resolve(result);
    };
    const ws = new WebSocket(wsUrl, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      ...(opts as WebSocket.ClientOptions),
      headers: opts.headers as Record<string, string> | undefined,
      // ws's own bound is a backstop: the deadline below decides.
      handshakeTimeout: timeoutMs * 2,
    });
    // Counts only time this process could listen (clients/deadline.ts).
    const cancelDeadline = deadline(timeoutMs, () => {
      ws.terminate();
      done(new KubeError('TIMEOUT', `${shown}: no exit status within ${timeoutMs}ms`));
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const s = parseStatus(Buffer.concat(chunks).toString('utf8'));
        // A refusal's cause (401, 403) is read from the status by report/errors.ts kubeCause.
        done(new KubeError(codeForStatus(code), `${shown}: ${code} ${s?.message ?? res.statusMessage ?? ''}`.trim(), code));
        ws.terminate();
      });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data.toString(), 'utf8');
      if (buf.length === 0) return;
      const channel = buf[0];
      const payload = buf.subarray(1).toString('utf8');
      if (channel === 1) stdout += payload;
      else if (channel === 2) stderr += payload;
      else if (channel === 3) status = parseStatus(payload);
    });
    ws.on('error', (err) => done(new KubeError('KUBE_UNREACHABLE', `${shown}: ${describeError(err)}`, undefined, { cause: err })));
    ws.on('close', () => {
      if (!status) return done(new KubeError('EXEC_FAILED', `${shown}: the stream closed without an exit status (stdout ${stdout.length} bytes)`));
      if (status.status === 'Success') return done(undefined, { stdout, stderr, exitCode: 0 });
      if (status.reason === 'NonZeroExitCode') {
        const exit = Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? 'NaN');
        return done(undefined, { stdout, stderr, exitCode: Number.isInteger(exit) ? exit : 1 });
      }
      const msg = status.message ?? 'exec failed';
      // The runtime could not start the command (not in the image): as a shell would report it.
      if (/executable file not found|no such file or directory/i.test(msg)) return done(undefined, { stdout, stderr: `${stderr}${msg}\n`, exitCode: 127 });
      if (/permission denied/i.test(msg)) return done(undefined, { stdout, stderr: `${stderr}${msg}\n`, exitCode: 126 });
      done(new KubeError('EXEC_FAILED', `${shown}: ${msg}`, status.code));
    });
  });
}

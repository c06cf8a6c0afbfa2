/**
 * Fidelity of the edge fakes, judged by real clients nobody here wrote: the hcloud CLI against the
 * Hetzner fake, `openssl s_client` and `curl --connect-to` against the gateway and its PKI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startSim, type SimHandle } from '../sim/index.js';

const run = promisify(execFile);

async function runRc(cmd: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<{ rc: number; stdout: string; stderr: string }> {
  try {
    const p = run(cmd, args, { env: { ...process.env, ...env }, timeout: 20_000 });
    if (input !== undefined) p.child.stdin?.end(input);
    const { stdout, stderr } = await p;
    return { rc: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { rc: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const hcloudEnv = (sim: SimHandle, token = sim.context.world.hcloud.token): Record<string, string> => ({ HCLOUD_ENDPOINT: sim.env['HCLOUD_ENDPOINT'] ?? '', HCLOUD_TOKEN: token, HOME: sim.dir });

void describe('sim edge: healthy', () => {
  let sim: SimHandle;
  before(async () => {
    sim = await startSim({ scenario: 'healthy' });
  });
  after(async () => {
    await sim.stop();
  });

  void it('hcloud load-balancer list -o json shows the labelled LB with its targets', async () => {
    const r = await runRc('hcloud', ['load-balancer', 'list', '-o', 'json'], hcloudEnv(sim));
    assert.equal(r.rc, 0, r.stderr);
    const lbs = JSON.parse(r.stdout) as { name: string; labels: Record<string, string>; public_net: { ipv4: { ip: string } }; targets: unknown[] }[];
    assert.equal(lbs.length, 1);
    assert.equal(lbs[0]?.labels['catalyst.openova.io/sovereign'], sim.fqdn);
    assert.equal(lbs[0]?.public_net.ipv4.ip, '127.0.0.1');
    assert.equal(lbs[0]?.targets.length, 2);
  });

  void it('hcloud load-balancer describe <name> prints targets with health per service', async () => {
    const name = sim.context.world.hcloud.loadBalancers[0]?.name ?? '';
    const r = await runRc('hcloud', ['load-balancer', 'describe', name], hcloudEnv(sim));
    assert.equal(r.rc, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Name:\\s+${name}`));
    assert.match(r.stdout, /Name:\s+catalyst-sim-sovereign-test-cp1/);
    assert.match(r.stdout, /Service:\s+443\s+Status:\s+healthy/);
  });

  void it('hcloud with a wrong token: unable to authenticate, rc 1', async () => {
    const r = await runRc('hcloud', ['load-balancer', 'list'], hcloudEnv(sim, 'x'.repeat(64)));
    assert.equal(r.rc, 1);
    assert.match(r.stderr, /unable to authenticate/);
  });

  void it('openssl s_client -servername console.<fqdn> verifies against the sim CA', async () => {
    const r = await runRc('openssl', ['s_client', '-connect', `127.0.0.1:${sim.context.ports.gateway}`, '-servername', `console.${sim.fqdn}`, '-CAfile', sim.env['SMOKE_EXTRA_CA_FILE'] ?? '', '-verify_return_error', '-verify_hostname', `console.${sim.fqdn}`], {}, '');
    assert.equal(r.rc, 0, r.stderr);
    assert.match(r.stdout, /Verify return code: 0 \(ok\)/);
    assert.match(r.stdout, /Certificate chain\n 0 s:CN = \*\.sim\.sovereign\.test[\s\S]* 1 s:O = Sovereign Sim, CN = Sovereign Sim Issuing CA R1/);
  });

  void it('curl --connect-to reaches console.<fqdn>/healthz through the gateway', async () => {
    const port = sim.context.ports.gateway ?? 0;
    const r = await runRc('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{ssl_verify_result}', '--connect-to', `console.${sim.fqdn}:443:127.0.0.1:${port}`, '--cacert', sim.env['SMOKE_EXTRA_CA_FILE'] ?? '', `https://console.${sim.fqdn}/healthz`]);
    assert.equal(r.rc, 0, r.stderr);
    const [code, verify] = r.stdout.split(' ');
    assert.equal(verify, '0', 'TLS verified');
    assert.equal(code, '200');
    assert.ok(sim.context.requests.some((q) => q.server === 'gateway' && q.path.includes('/healthz')), 'the gateway logged the request');
  });
});

void describe('sim edge: variants', () => {
  let sim: SimHandle;
  before(async () => {
    sim = await startSim({ scenario: 'healthy' });
  });
  after(async () => {
    await sim.stop();
  });

  void it('hcloud with the read-only token reads; a write is refused 403, as a read-only token is', async () => {
    const ro = sim.context.world.hcloud.readOnlyToken ?? '';
    assert.ok(ro && ro !== sim.context.world.hcloud.token);
    const list = await runRc('hcloud', ['load-balancer', 'list', '-o', 'json'], hcloudEnv(sim, ro));
    assert.equal(list.rc, 0, list.stderr);
    const name = sim.context.world.hcloud.loadBalancers[0]?.name ?? '';
    const write = await runRc('hcloud', ['load-balancer', 'add-label', name, 'smoke=touched'], hcloudEnv(sim, ro));
    assert.notEqual(write.rc, 0);
    assert.match(write.stderr, /insufficient permissions|forbidden/);
    assert.ok(sim.context.requests.some((q) => q.server === 'hcloud' && q.status === 403), 'the fake refused the write');
  });

  void it('curl --connect-to reaches every public host through the gateway: gitea, harbor, bao', async () => {
    const port = sim.context.ports.gateway ?? 0;
    for (const [label, code] of [['gitea', '200'], ['harbor', '200'], ['bao', '307']] as const) {
      const r = await runRc('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{ssl_verify_result}', '--connect-to', `${label}.${sim.fqdn}:443:127.0.0.1:${port}`, '--cacert', sim.env['SMOKE_EXTRA_CA_FILE'] ?? '', `https://${label}.${sim.fqdn}/`]);
      assert.equal(r.rc, 0, r.stderr);
      assert.equal(r.stdout, `${code} 0`, label);
    }
  });
});

void describe('sim edge: faults', () => {
  void it('cert-expired: openssl s_client fails verification (certificate has expired)', async () => {
    const sim = await startSim({ scenario: 'cert-expired' });
    try {
      const r = await runRc('openssl', ['s_client', '-connect', `127.0.0.1:${sim.context.ports.gateway}`, '-servername', `console.${sim.fqdn}`, '-CAfile', sim.env['SMOKE_EXTRA_CA_FILE'] ?? '', '-verify_return_error'], {}, '');
      assert.notEqual(r.rc, 0);
      assert.match(r.stdout + r.stderr, /certificate has expired/);
    } finally {
      await sim.stop();
    }
  });

  void it('lb-no-targets: TCP is accepted then reset before TLS (curl fails, hcloud shows no targets)', async () => {
    const sim = await startSim({ scenario: 'lb-no-targets' });
    try {
      const port = sim.context.ports.gateway ?? 0;
      const r = await runRc('curl', ['-sS', '--connect-to', `console.${sim.fqdn}:443:127.0.0.1:${port}`, '--cacert', sim.env['SMOKE_EXTRA_CA_FILE'] ?? '', `https://console.${sim.fqdn}/healthz`]);
      // Reset right after accept: curl reports it as a failed connect (7), an SSL connect error (35) or a recv failure (56).
      assert.ok([7, 35, 56].includes(r.rc), `curl connection failure expected, got ${r.rc}: ${r.stderr}`);
      assert.ok(sim.context.requests.some((q) => q.server === 'gateway' && q.path.includes('reset')), 'the LB accepted and reset the connection');
      const list = await runRc('hcloud', ['load-balancer', 'list', '-o', 'json'], hcloudEnv(sim));
      // hcloud-go prints an empty target list as null.
      assert.equal((JSON.parse(list.stdout) as { targets: unknown[] | null }[])[0]?.targets?.length ?? 0, 0);
    } finally {
      await sim.stop();
    }
  });

  void it('console-hang: TCP is accepted and never answered; stop() releases the hung socket', async () => {
    const sim = await startSim({ scenario: 'console-hang' });
    const port = sim.context.ports.gateway ?? 0;
    const sock = connect(port, '127.0.0.1');
    const closed = new Promise<string>((resolve) => {
      sock.on('data', () => resolve('data'));
      sock.on('close', () => resolve('close'));
      sock.on('error', () => resolve('close'));
    });
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.write('\x16\x03\x01\x00\x00');
    const t = Date.now();
    await sim.stop();
    assert.equal(await closed, 'close');
    assert.ok(Date.now() - t < 2000, 'stop() does not wait for the hung connection');
  });

  void it('hcloud-rate-limited: the CLI sees 429 first, then the fake answers again', async () => {
    const sim = await startSim({ scenario: 'hcloud-rate-limited' });
    try {
      const url = `${sim.env['HCLOUD_ENDPOINT']}/load_balancers`;
      const auth = { authorization: `Bearer ${sim.context.world.hcloud.token}` };
      const first = await fetch(url, { headers: auth });
      assert.equal(first.status, 429);
      assert.equal(((await first.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
      assert.ok(Number(first.headers.get('ratelimit-reset')) > Date.now() / 1000 - 1);
      await fetch(url, { headers: auth });
      await fetch(url, { headers: auth });
      const ok = await fetch(url, { headers: auth });
      assert.equal(ok.status, 200);
      assert.ok(Number(ok.headers.get('ratelimit-remaining')) > 0);
    } finally {
      await sim.stop();
    }
  });

  void it('route-backend-down: gitea.<fqdn> answers 503 "no healthy upstream" while its EndpointSlice has no ready endpoint; harbor still 200', async () => {
    const sim = await startSim({ scenario: 'route-backend-down' });
    try {
      const port = sim.context.ports.gateway ?? 0;
      const ask = (label: string): Promise<{ rc: number; stdout: string; stderr: string }> =>
        runRc('curl', ['-sS', '-w', ' %{http_code}', '--connect-to', `${label}.${sim.fqdn}:443:127.0.0.1:${port}`, '--cacert', sim.env['SMOKE_EXTRA_CA_FILE'] ?? '', `https://${label}.${sim.fqdn}/`]);
      assert.match((await ask('gitea')).stdout, /no healthy upstream 503$/);
      assert.match((await ask('harbor')).stdout, / 200$/);
    } finally {
      await sim.stop();
    }
  });

  void it('dns-stale-record: console.<fqdn> points at a foreign address on the same port, which resets', async () => {
    const sim = await startSim({ scenario: 'dns-stale-record' });
    try {
      assert.match(sim.env['SMOKE_CONNECT_TO'] ?? '', new RegExp(`console\\.${sim.fqdn.replace(/\./g, '\\.')}:443:127\\.0\\.0\\.2:${sim.context.ports.gateway}`));
      const r = await runRc('curl', ['-sS', '--connect-to', `console.${sim.fqdn}:443:127.0.0.2:${sim.context.ports.gateway}`, '--cacert', sim.env['SMOKE_EXTRA_CA_FILE'] ?? '', `https://console.${sim.fqdn}/healthz`]);
      assert.notEqual(r.rc, 0);
    } finally {
      await sim.stop();
    }
  });
});

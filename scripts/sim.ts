/**
 * `npm run sim [SCENARIO]`: starts a simulated Sovereign in the foreground and prints the env file,
 * so a person can poke at it with curl, kubectl and hcloud. Ctrl-C stops it.
 */
import { SCENARIOS } from '../sim/scenarios/index.js';
import { startSim, UnknownScenario } from '../sim/index.js';

const arg = process.argv[2];
if (arg === '--help' || arg === '-h' || arg === '--list') {
  for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(28)} ${s.description}\n`);
  process.exit(0);
}
try {
  const sim = await startSim({ scenario: arg ?? 'healthy', ...(process.argv[3] ? { name: process.argv[3] } : {}) });
  process.stdout.write(`# scenario ${sim.scenario}: ${sim.fqdn}\n# env file: ${sim.envFile}\n`);
  for (const [k, v] of Object.entries(sim.env)) process.stdout.write(`${k}=${v}\n`);
  process.stdout.write(`# e.g.: set -a; . ${sim.envFile}; set +a; tools/kubectl/kubectl get pods -A\n`);
  const stop = (): void => {
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`sim: ${err instanceof UnknownScenario ? err.message : String(err)}\n`);
  process.exit(2);
}

/*
 * The portal's embedded cluster (run by scripts/start): the dev cluster with
 * its objects kept in a file across restarts, Cairn's operators installed
 * (unless --no-operators or CAIRN_OPERATORS=off), the demo workloads seeded
 * (with the operators, the Rollouts demo Stone too),
 * and the backend configuration written for it. Prints `ready` once all is
 * done and stops cleanly on SIGINT / SIGTERM, its containers with it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startDevCluster } from '../server/devCluster';
import { isolationSummary } from '../runtime/sandbox';
import { seedDemoStone } from './demoStone';
import {
  operatorsEnabled,
  prepareOperators,
  startOperators,
} from './operators';
import { preparePortalCluster } from './portalCluster';

async function main() {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string' },
      port: { type: 'string' },
      manifests: { type: 'string' },
      'backend-config': { type: 'string' },
      'no-operators': { type: 'boolean', default: false },
    },
  });
  const root = process.env.CAIRN_ROOT ?? process.cwd();
  const stateDir = path.resolve(
    values['state-dir'] ?? path.join(root, '.dev-cluster'),
  );
  const port = Number(values.port ?? 6443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, got "${values.port}"`);
  }
  const operators = operatorsEnabled(values['no-operators'])
    ? await prepareOperators({ root, stateDir })
    : undefined;
  const cluster = await startDevCluster({
    stateDir,
    port,
    persistFile: path.join(stateDir, 'objects.json'),
    imageCatalogFile: operators?.imageCatalogFile,
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.kubeconfig);
  // Before the demo workloads: their namespace cairn-system is the operators'.
  const operatorsLine = await startOperators(
    kubeConfig,
    stateDir,
    operators?.objects,
  );
  const { created } = await preparePortalCluster({
    kubeConfig,
    manifestsDir: path.resolve(
      values.manifests ?? path.join(root, 'examples', 'kubernetes'),
    ),
    backendConfigPath: path.resolve(
      values['backend-config'] ?? path.join(stateDir, 'app-config.yaml'),
    ),
  });
  const seeded = created.length ? `; created ${created.join(', ')}` : '';
  process.stderr.write(
    `dev-cluster serving at ${cluster.url} (kubectl --kubeconfig ${
      cluster.kubeconfigPath
    }); ${operatorsLine}${seeded}; ${isolationSummary(cluster.isolation)}\n`,
  );
  process.stdout.write('ready\n');
  if (operators) {
    // In the background: the operator releases the Stone first, which takes
    // a while, and the portal need not wait for its demo.
    seedDemoStone({
      kubeConfig,
      file: path.join(
        root,
        'examples',
        'kubernetes',
        'stones',
        'checkout.yaml',
      ),
    }).then(
      line => process.stderr.write(`dev-cluster: ${line}\n`),
      error =>
        process.stderr.write(
          `dev-cluster: the Rollouts demo Stone could not be seeded: ${
            error instanceof Error ? error.message : String(error)
          }\n`,
        ),
    );
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(error => {
  process.stderr.write(
    `dev-cluster: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});

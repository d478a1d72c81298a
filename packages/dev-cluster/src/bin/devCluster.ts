/*
 * The standalone dev cluster (scripts/dev-cluster): serves in the foreground,
 * writes the admin kubeconfig, runs Cairn's operators (unless --no-operators
 * or CAIRN_OPERATORS=off), prints `ready` once it serves and stops cleanly
 * on SIGINT / SIGTERM.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import {
  operatorsEnabled,
  prepareOperators,
  startOperators,
} from '../portal/operators';
import { startDevCluster } from '../server/devCluster';
import { isolationSummary } from '../runtime/sandbox';

async function main() {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'state-dir': { type: 'string' },
      persist: { type: 'string' },
      topology: { type: 'string' },
      'image-catalog': { type: 'string' },
      'audit-log-path': { type: 'string' },
      'no-operators': { type: 'boolean', default: false },
    },
  });
  const root = process.env.CAIRN_ROOT ?? process.cwd();
  const kubeconfigPath = path.resolve(
    values.kubeconfig ?? path.join(root, '.dev-cluster', 'kubeconfig'),
  );
  const stateDir = path.resolve(
    values['state-dir'] ?? path.dirname(kubeconfigPath),
  );
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, got "${values.port}"`);
  }
  const imageCatalogFile = values['image-catalog']
    ? path.resolve(values['image-catalog'])
    : undefined;
  const operators = operatorsEnabled(values['no-operators'])
    ? await prepareOperators({
        root,
        stateDir,
        baseCatalogFile: imageCatalogFile,
      })
    : undefined;
  const cluster = await startDevCluster({
    stateDir,
    port,
    host: values.host,
    kubeconfigPath,
    persistFile: values.persist ? path.resolve(values.persist) : undefined,
    topologyFile: values.topology ? path.resolve(values.topology) : undefined,
    imageCatalogFile: operators?.imageCatalogFile ?? imageCatalogFile,
    auditLogPath: values['audit-log-path']
      ? path.resolve(values['audit-log-path'])
      : undefined,
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.kubeconfig);
  const operatorsLine = await startOperators(
    kubeConfig,
    stateDir,
    operators?.objects,
  );
  process.stderr.write(
    `dev-cluster serving at ${cluster.url}; kubeconfig ${
      cluster.kubeconfigPath
    }; ${operatorsLine}; ${isolationSummary(cluster.isolation)}\n`,
  );
  process.stdout.write('ready\n');

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

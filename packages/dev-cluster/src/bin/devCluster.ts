/*
 * The standalone dev cluster (scripts/dev-cluster): serves in the foreground,
 * writes the admin kubeconfig, prints `ready` once it serves and stops
 * cleanly on SIGINT / SIGTERM.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevCluster } from '../server/devCluster';

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
  const cluster = await startDevCluster({
    stateDir,
    port,
    host: values.host,
    kubeconfigPath,
    persistFile: values.persist ? path.resolve(values.persist) : undefined,
    topologyFile: values.topology ? path.resolve(values.topology) : undefined,
    imageCatalogFile: values['image-catalog']
      ? path.resolve(values['image-catalog'])
      : undefined,
  });
  process.stderr.write(
    `dev-cluster serving at ${cluster.url}; kubeconfig ${cluster.kubeconfigPath}\n`,
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

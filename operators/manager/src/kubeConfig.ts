import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where a pod finds its ServiceAccount's token (client-go's rest.InClusterConfig). */
const SERVICE_ACCOUNT_TOKEN =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads the client config in controller-runtime's order (its config.GetConfig):
 * the `--kubeconfig` file, else the files $KUBECONFIG names, else the pod's
 * ServiceAccount (in-cluster: KUBERNETES_SERVICE_HOST/PORT and the token
 * file), else ~/.kube/config. In-cluster comes before ~/.kube/config, unlike
 * kubectl's (and client-node's loadFromDefault) order, so an operator run as
 * a pod acts as its ServiceAccount whatever its home holds. `root` prefixes
 * the ServiceAccount's files (a test's fake pod root).
 */
export function loadKubeConfig(file?: string, root = ''): KubeConfig {
  const env = process.env;
  const kubeConfig = new KubeConfig();
  const homeConfig = path.join(env.HOME ?? os.homedir(), '.kube', 'config');
  if (file) {
    kubeConfig.loadFromFile(file);
  } else if (env.KUBECONFIG) {
    kubeConfig.loadFromDefault();
  } else if (
    env.KUBERNETES_SERVICE_HOST &&
    env.KUBERNETES_SERVICE_PORT &&
    existsSync(`${root}${SERVICE_ACCOUNT_TOKEN}`)
  ) {
    kubeConfig.loadFromCluster(root);
  } else if (existsSync(homeConfig)) {
    kubeConfig.loadFromFile(homeConfig);
  } else {
    throw new Error(
      'no kubeconfig: no --kubeconfig, $KUBECONFIG or ~/.kube/config, and not in a cluster (KUBERNETES_SERVICE_HOST/PORT and a ServiceAccount token); pass --kubeconfig',
    );
  }
  if (!kubeConfig.getCurrentCluster())
    throw new Error(
      `kubeconfig ${
        file ?? env.KUBECONFIG ?? homeConfig
      } has no current cluster`,
    );
  return kubeConfig;
}

import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  ControllerFactory,
  jsonLogger,
  Manager,
  ManagerOptions,
} from '@cairn/controller-runtime';
// The dev cluster's index does not export its test helpers.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  startTestCluster,
  TestCluster,
} from '@cairn/dev-cluster/src/server/testing';
import { startManager } from './manager';

// Tests run from source, never from a build, so __dirname is this folder.
// eslint-disable-next-line no-restricted-syntax
const DEPLOY = path.resolve(__dirname, '../../deploy');

/** A dev cluster with operators/deploy installed, for testing a controller as the operators' Deployment runs it. */
export interface OperatorsTestCluster {
  cluster: TestCluster;
  /** The cluster admin's config. */
  admin: KubeConfig;
  /** The manager's log lines, for failure messages. */
  logLines: string[];
  /** kubectl as the cluster admin; fails the test on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** Polls until `done` holds; the failure names what was awaited, the last value and the manager's errors. */
  waitFor<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
  ): Promise<T>;
  /**
   * A started manager replica as the Deployment runs it, holding only the
   * cairn-operators ServiceAccount's token (so a missing RBAC rule fails).
   */
  startManager(
    controller: ControllerFactory,
    leaderElection?: Partial<NonNullable<ManagerOptions['leaderElection']>>,
  ): Promise<Manager>;
  dispose(): Promise<void>;
}

/** A config holding only a fresh token of operators/deploy's cairn-operators ServiceAccount. */
async function operatorsKubeConfig(admin: KubeConfig): Promise<KubeConfig> {
  const { status } = await admin
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({
      namespace: 'cairn-system',
      name: 'cairn-operators',
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
  const server = admin.getCurrentCluster()!;
  const operators = new KubeConfig();
  operators.loadFromOptions({
    clusters: [{ name: 'dev', server: server.server, caData: server.caData }],
    users: [{ name: 'cairn-operators', token: status!.token }],
    contexts: [{ name: 'dev', cluster: 'dev', user: 'cairn-operators' }],
    currentContext: 'dev',
  });
  return operators;
}

/** Starts a dev cluster and installs everything operators/deploy does but the Deployment: the test runs the manager itself. */
export async function startOperatorsTestCluster(options: {
  /** CRDs to wait for, e.g. `crd/stones.rollouts.cairn.dev`. */
  established: string[];
}): Promise<OperatorsTestCluster> {
  const cluster = await startTestCluster({ tekton: false });
  const logLines: string[] = [];

  const kubectl = async (args: string[], input?: string) => {
    const result = await cluster.kubectl(args, input);
    if (result.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    }
    return result.stdout;
  };

  const waitFor = async <T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
  ): Promise<T> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const last = await read();
      if (done(last)) return last;
      if (Date.now() > deadline) {
        const errors = logLines.filter(l => l.includes('"error"')).slice(-5);
        throw new Error(
          `timed out waiting for ${what}; last: ${JSON.stringify(
            (last as { status?: unknown })?.status ?? last,
          )?.slice(0, 3000)}; manager errors: ${errors.join('')}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  };

  let admin: KubeConfig;
  let operators: KubeConfig;
  try {
    const manifests = (await kubectl(['kustomize', DEPLOY]))
      .split(/^---$/m)
      .filter(doc => !/^kind: Deployment$/m.test(doc))
      .join('---');
    await kubectl(['apply', '-f', '-'], manifests);
    await kubectl([
      'wait',
      '--for=condition=Established',
      ...options.established,
    ]);
    admin = new KubeConfig();
    admin.loadFromString(cluster.kubeconfig);
    operators = await operatorsKubeConfig(admin);
  } catch (error) {
    await cluster.dispose();
    throw error;
  }

  return {
    cluster,
    admin,
    logLines,
    kubectl,
    waitFor,
    startManager: (controller, leaderElection) =>
      startManager(
        operators,
        [controller],
        { namespace: 'cairn-system', id: 'cairn-operators', ...leaderElection },
        jsonLogger(line => logLines.push(line)),
      ),
    dispose: () => cluster.dispose(),
  };
}

export { startPluginOnDevCluster } from './pluginOnDevCluster';
export type {
  PluginOnDevCluster,
  PluginOnDevClusterOptions,
} from './pluginOnDevCluster';

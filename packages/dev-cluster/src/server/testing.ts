import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DevCluster, DevClusterOptions, startDevCluster } from './devCluster';

/*
 * Helpers for tests that run a real dev cluster and drive it with kubectl
 * and @kubernetes/client-node.
 */

export interface TestCluster extends DevCluster {
  /** Runs kubectl against the cluster; resolves with its output and exit code (never rejects). */
  kubectl(
    args: string[],
    input?: string,
  ): Promise<{ stdout: string; stderr: string; code: number }>;
  dispose(): Promise<void>;
}

export async function startTestCluster(
  options: Partial<DevClusterOptions> = {},
): Promise<TestCluster> {
  // A given state dir outlives the cluster (to start another on it); a temporary one does not.
  const ownStateDir = !options.stateDir;
  const stateDir =
    options.stateDir ??
    mkdtempSync(path.join(os.tmpdir(), 'dev-cluster-test-'));
  const cluster = await startDevCluster({ port: 0, ...options, stateDir });
  return {
    ...cluster,
    kubectl(args, input) {
      return new Promise(resolve => {
        const child = execFile(
          'kubectl',
          ['--kubeconfig', cluster.kubeconfigPath, ...args],
          {
            env: {
              ...process.env,
              KUBECACHEDIR: path.join(stateDir, 'kubecache'),
            },
          },
          (error, stdout, stderr) => {
            resolve({
              stdout,
              stderr,
              code: error ? (error as any).code ?? 1 : 0,
            });
          },
        );
        if (input !== undefined) child.stdin!.end(input);
      });
    },
    async dispose() {
      await cluster.stop();
      if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

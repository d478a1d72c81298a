import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKubeConfig } from './kubeConfig';

/*
 * Where the manager finds its cluster, as controller-runtime's GetConfig:
 * --kubeconfig, $KUBECONFIG, the pod's ServiceAccount, ~/.kube/config.
 */

const ENV = [
  'KUBECONFIG',
  'HOME',
  'KUBERNETES_SERVICE_HOST',
  'KUBERNETES_SERVICE_PORT',
] as const;

let dir: string;
let saved: Record<string, string | undefined>;

function kubeconfigFile(file: string, server: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 'file-token' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

/** A pod's root with its ServiceAccount volume, as the kubelet writes it. */
function podRoot(): string {
  const root = path.join(dir, 'pod');
  const account = path.join(
    root,
    'var/run/secrets/kubernetes.io/serviceaccount',
  );
  mkdirSync(account, { recursive: true });
  writeFileSync(path.join(account, 'token'), 'sa-token');
  writeFileSync(path.join(account, 'ca.crt'), 'not checked here');
  writeFileSync(path.join(account, 'namespace'), 'cairn-system');
  return root;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'manager-kubeconfig-'));
  saved = Object.fromEntries(ENV.map(name => [name, process.env[name]]));
  for (const name of ENV) delete process.env[name];
  process.env.HOME = path.join(dir, 'home');
});

afterEach(() => {
  for (const [name, value] of Object.entries(saved))
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  rmSync(dir, { recursive: true, force: true });
});

describe('loadKubeConfig', () => {
  it("uses the pod's ServiceAccount in a cluster, even with a ~/.kube/config", () => {
    kubeconfigFile(
      path.join(dir, 'home/.kube/config'),
      'https://home.example:6443',
    );
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '6443';
    const kubeConfig = loadKubeConfig(undefined, podRoot());
    expect(kubeConfig.getCurrentCluster()?.server).toBe(
      'https://127.0.0.1:6443',
    );
    expect(
      kubeConfig.getContextObject(kubeConfig.currentContext),
    ).toMatchObject({ namespace: 'cairn-system' });
    expect(kubeConfig.getCurrentUser()?.authProvider?.config.tokenFile).toBe(
      path.join(dir, 'pod/var/run/secrets/kubernetes.io/serviceaccount/token'),
    );
  });

  it('prefers --kubeconfig, then $KUBECONFIG, to the ServiceAccount', () => {
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '6443';
    const root = podRoot();
    process.env.KUBECONFIG = kubeconfigFile(
      path.join(dir, 'env.yaml'),
      'https://env.example:6443',
    );
    expect(loadKubeConfig(undefined, root).getCurrentCluster()?.server).toBe(
      'https://env.example:6443',
    );
    const flag = kubeconfigFile(
      path.join(dir, 'flag.yaml'),
      'https://flag.example:6443',
    );
    expect(loadKubeConfig(flag, root).getCurrentCluster()?.server).toBe(
      'https://flag.example:6443',
    );
  });

  it('uses ~/.kube/config outside a cluster, or a pod without a token', () => {
    kubeconfigFile(
      path.join(dir, 'home/.kube/config'),
      'https://home.example:6443',
    );
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe(
      'https://home.example:6443',
    );
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '6443';
    expect(
      loadKubeConfig(undefined, path.join(dir, 'no-token')).getCurrentCluster()
        ?.server,
    ).toBe('https://home.example:6443');
  });

  it('refuses to guess a server when it finds none', () => {
    expect(() => loadKubeConfig()).toThrow(/no kubeconfig.*--kubeconfig/);
  });

  it('names a kubeconfig file it cannot read', () => {
    expect(() => loadKubeConfig('/nonexistent/kubeconfig')).toThrow(
      /\/nonexistent\/kubeconfig/,
    );
  });
});

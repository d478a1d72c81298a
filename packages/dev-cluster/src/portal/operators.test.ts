import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { DevCluster, startDevCluster } from '../server/devCluster';
import { prepareOperators, renderOperators, startOperators } from './operators';

/*
 * The operators as the portal's setup (and scripts/dev-cluster) install
 * them: operators/dev-cluster rendered as kubectl renders it, the
 * Deployment's two pods running this checkout's manager as local processes
 * with the cairn-operators ServiceAccount's token, one of them leading, a
 * Stone applied with kubectl getting its pods, and no manager process left
 * once the cluster stops.
 */

jest.setTimeout(180_000);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../..');
const key = (o: KubernetesObject) =>
  `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

it('renders operators/dev-cluster as kubectl kustomize does', async () => {
  const { stdout } = await run('kubectl', [
    'kustomize',
    path.join(ROOT, 'operators', 'dev-cluster'),
  ]);
  const expected = new Map(
    parseAllDocuments(stdout).map(d => {
      const o = d.toJS() as KubernetesObject;
      return [key(o), o];
    }),
  );
  const rendered = await renderOperators(ROOT);
  expect(new Map(rendered.map(o => [key(o), o]))).toEqual(expected);
});

/** Polls until `done` holds, failing with what was awaited and the last value. */
async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last: ${JSON.stringify(value)?.slice(
          0,
          2000,
        )}`,
      );
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/** undefined for a 404, so polling waits for the object to appear. */
function notFound(error: unknown): undefined {
  if ((error as { code?: number }).code === 404) return undefined;
  throw error;
}

/** The pids of this user's processes whose environment holds `entry`. */
async function processesWith(entry: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = await readFile(`/proc/${name}/environ`, 'utf8');
      if (environ.split('\0').includes(entry)) pids.push(Number(name));
    } catch {
      // Gone, or not ours.
    }
  }
  return pids;
}

describe('the operators on the dev cluster', () => {
  let dir: string;
  let cluster: DevCluster | undefined;
  let admin: KubeConfig;
  const users = new Set<string>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cairn-operators-'));
  });

  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const kubeconfigPath = () => path.join(dir, 'operators', 'kubeconfig');

  async function kubectl(args: string[], input?: string): Promise<string> {
    const child = run('kubectl', [
      '--kubeconfig',
      cluster!.kubeconfigPath,
      ...args,
    ]);
    if (input !== undefined) child.child.stdin!.end(input);
    return (await child).stdout;
  }

  it('runs two managers as the cairn-operators ServiceAccount, one holding the Lease', async () => {
    const { objects, imageCatalogFile } = await prepareOperators({
      root: ROOT,
      stateDir: dir,
    });
    cluster = await startDevCluster({
      stateDir: dir,
      port: 0,
      tekton: false,
      imageCatalogFile,
    });
    cluster.server.onRequest(request => {
      if (request.user.username.startsWith('system:serviceaccount:cairn-'))
        users.add(request.user.username);
    });
    admin = new KubeConfig();
    admin.loadFromString(cluster.kubeconfig);
    expect(await startOperators(admin, dir, objects)).toBe(
      'operators: Deployment cairn-system/cairn-operators (2 replicas)',
    );

    const apps = admin.makeApiClient(AppsV1Api);
    await waitFor(
      () =>
        apps.readNamespacedDeployment({
          name: 'cairn-operators',
          namespace: 'cairn-system',
        }),
      d => d.status?.readyReplicas === 2,
      'Deployment cairn-operators to have 2 ready pods',
    );
    const lease = await waitFor(
      () =>
        admin
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({
            name: 'cairn-operators',
            namespace: 'cairn-system',
          })
          .catch(notFound),
      l => Boolean(l?.spec?.holderIdentity),
      'a holder of Lease cairn-operators',
    );
    // Each manager logs its candidate identity; the holder is one pod's.
    const core = admin.makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({
      namespace: 'cairn-system',
      labelSelector: 'app.kubernetes.io/name=cairn-operators',
    });
    expect(pods.items).toHaveLength(2);
    const identities = await Promise.all(
      pods.items.map(async pod => {
        const log = await waitFor(
          () =>
            core.readNamespacedPodLog({
              name: pod.metadata!.name!,
              namespace: 'cairn-system',
            }),
          text => text.includes('"identity"'),
          `the log of ${pod.metadata!.name}`,
        );
        return JSON.parse(
          log.split('\n').find(line => line.includes('"identity"'))!,
        ).identity as string;
      }),
    );
    const holder = lease!.spec!.holderIdentity;
    expect(identities.filter(i => i === holder)).toEqual([holder]);
    // Only the ServiceAccount's token: what its RBAC refuses, it cannot do.
    expect([...users]).toEqual([
      'system:serviceaccount:cairn-system:cairn-operators',
    ]);
    // Found as a real operator finds it: in-cluster where pods are isolated
    // (the token at Kubernetes' path, no $KUBECONFIG), else $KUBECONFIG.
    const isolated = (await core.listNode()).items.every(node =>
      node.status?.conditions?.some(
        c => c.type === 'PodIsolation' && c.status === 'True',
      ),
    );
    const env = pods.items[0].spec!.containers[0].env ?? [];
    expect(env.find(e => e.name === 'KUBECONFIG')).toEqual(
      isolated ? undefined : { name: 'KUBECONFIG', value: kubeconfigPath() },
    );
    expect(existsSync(kubeconfigPath())).toBe(!isolated);
  });

  it('creates the pods of a Stone applied with kubectl', async () => {
    await kubectl([
      'apply',
      '-f',
      path.join(ROOT, 'examples', 'kubernetes', 'stones', 'web.yaml'),
    ]);
    const core = admin.makeApiClient(CoreV1Api);
    const pods = await waitFor(
      () =>
        core.listNamespacedPod({
          namespace: 'shop',
          labelSelector: 'rollouts.cairn.dev/stone=web',
        }),
      list => list.items.length > 0,
      'the pods of Stone shop/web',
    );
    // Alpha: the first pod of the first group, in its zone.
    expect(pods.items.map(p => p.metadata?.name)).toEqual(['web-a-0']);
    expect(
      await kubectl(['-n', 'shop', 'get', 'stone', 'web', '-o', 'name']),
    ).toBe('stone.rollouts.cairn.dev/web\n');
  });

  it('stops the managers with the cluster', async () => {
    const pods = await admin.makeApiClient(CoreV1Api).listNamespacedPod({
      namespace: 'cairn-system',
      labelSelector: 'app.kubernetes.io/name=cairn-operators',
    });
    // The Deployment gives each manager its pod's name (the downward API).
    const entries = pods.items.map(pod => `POD_NAME=${pod.metadata!.name}`);
    const managers = async () =>
      (await Promise.all(entries.map(processesWith))).flat();
    await waitFor(managers, pids => pids.length >= 2, 'the manager processes');
    await cluster!.stop();
    expect(await managers()).toEqual([]);
  });
});

describe('a persisted dev cluster started again on another port', () => {
  it('replaces the managers, which reached the old port', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cairn-operators-'));
    const start = async () => {
      const { objects, imageCatalogFile } = await prepareOperators({
        root: ROOT,
        stateDir: dir,
      });
      const cluster = await startDevCluster({
        stateDir: dir,
        port: 0,
        tekton: false,
        imageCatalogFile,
        persistFile: path.join(dir, 'objects.json'),
      });
      const admin = new KubeConfig();
      admin.loadFromString(cluster.kubeconfig);
      await startOperators(admin, dir, objects);
      return { cluster, admin };
    };
    /** The ready manager pods of the Deployment's current template. */
    const readyManagers = async (admin: KubeConfig, server: string) => {
      const pods = await admin.makeApiClient(CoreV1Api).listNamespacedPod({
        namespace: 'cairn-system',
        labelSelector: 'app.kubernetes.io/name=cairn-operators',
      });
      return pods.items.filter(
        pod =>
          !pod.metadata?.deletionTimestamp &&
          pod.metadata?.annotations?.['cairn.dev/api-server'] === server &&
          pod.status?.conditions?.some(
            c => c.type === 'Ready' && c.status === 'True',
          ),
      );
    };
    let current = await start();
    try {
      await waitFor(
        () => readyManagers(current.admin, current.cluster.url),
        pods => pods.length === 2,
        'two ready managers',
      );
      await current.cluster.stop();
      current = await start();
      const pods = await waitFor(
        () => readyManagers(current.admin, current.cluster.url),
        ready => ready.length === 2,
        `two ready managers for ${current.cluster.url}`,
      );
      // Their log says they reached the API server (no connection refused).
      for (const pod of pods) {
        const log = await waitFor(
          () =>
            current.admin.makeApiClient(CoreV1Api).readNamespacedPodLog({
              name: pod.metadata!.name!,
              namespace: 'cairn-system',
            }),
          text => text.includes('"identity"'),
          `the log of ${pod.metadata!.name}`,
        );
        expect(log).not.toContain('ECONNREFUSED');
      }
    } finally {
      await current.cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the operators turned off', () => {
  it('deletes only the Deployment an earlier start installed, not the CRDs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cairn-operators-'));
    const cluster = await startDevCluster({
      stateDir: dir,
      port: 0,
      runWorkloads: false,
      tekton: false,
    });
    try {
      const admin = new KubeConfig();
      admin.loadFromString(cluster.kubeconfig);
      await startOperators(admin, dir, await renderOperators(ROOT));
      expect(await startOperators(admin, dir, undefined)).toBe(
        'operators off (deleted Deployment cairn-system/cairn-operators)',
      );
      expect(await startOperators(admin, dir, undefined)).toBe('operators off');
      const crd = await KubernetesObjectApi.makeApiClient(admin).read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'stones.rollouts.cairn.dev' },
      });
      expect(crd.metadata?.deletionTimestamp).toBeUndefined();
    } finally {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

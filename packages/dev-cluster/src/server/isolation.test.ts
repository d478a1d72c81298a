import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';
import { detectIsolation } from '../runtime/sandbox';
import { startTestCluster, TestCluster } from './testing';

/*
 * Pods that keep to themselves, as a kubectl user and an in-cluster client
 * see them: hostname = pod name, their own /tmp (kubectl cp lands there, not
 * in the host's), volumes and the ServiceAccount token at Kubernetes' paths
 * (so client-node's loadFromCluster() works inside a pod), nothing of the
 * dev cluster's state, and a loopback IP of their own that probes use.
 * Where bubblewrap cannot run, the nodes say so instead.
 */

jest.setTimeout(120_000);

const NAMESPACE = 'isolated';
const support = detectIsolation();
const isolated = support.available;
/** client-node as this checkout has it: a program of the host that pods may run. */
const CLIENT_NODE = path.dirname(
  require.resolve('@kubernetes/client-node/package.json'),
);

describe('pods on the dev cluster', () => {
  let cluster: TestCluster;
  let scratch: string;

  const kubectl = async (args: string[], input?: string) => {
    const result = await cluster.kubectl(['-n', NAMESPACE, ...args], input);
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const exec = (pod: string, script: string) =>
    kubectl(['exec', pod, '--', 'sh', '-c', script]);

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'isolation-test-'));
    await cluster.kubectl(['create', 'namespace', NAMESPACE]);
  });

  afterAll(async () => {
    await cluster.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reports on every node whether pods are isolated', async () => {
    const nodes = JSON.parse(
      (await cluster.kubectl(['get', 'nodes', '-o', 'json'])).stdout,
    );
    const conditions = nodes.items.map((node: any) =>
      node.status.conditions.find((c: any) => c.type === 'PodIsolation'),
    );
    // Isolated where bubblewrap works here; else the fallback says why not.
    const expected = {
      status: isolated ? 'True' : 'False',
      reason: support.available ? 'Bubblewrap' : support.reason,
    };
    expect(conditions).toEqual(
      Array(18).fill(expect.objectContaining(expected)),
    );
  });

  (isolated ? describe : describe.skip)('isolated', () => {
    beforeAll(async () => {
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'settings' },
              data: { 'app.conf': 'colour=blue\n' },
            },
            {
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: { name: 'password' },
              stringData: { password: 's3cret' },
            },
            {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: 'web' },
              spec: {
                containers: [
                  {
                    name: 'web',
                    image: 'registry.example/web:1',
                    command: [
                      'node',
                      '-e',
                      "require('http').createServer((q, r) => r.end(require('os').hostname())).listen(8080)",
                    ],
                    ports: [{ containerPort: 8080 }],
                    readinessProbe: {
                      httpGet: { port: 8080, path: '/' },
                      periodSeconds: 1,
                    },
                    volumeMounts: [
                      { name: 'settings', mountPath: '/etc/app' },
                      { name: 'password', mountPath: '/etc/password' },
                      { name: 'data', mountPath: '/data' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'settings', configMap: { name: 'settings' } },
                  { name: 'password', secret: { secretName: 'password' } },
                  { name: 'data', emptyDir: {} },
                ],
              },
            },
          ],
        }),
      );
      await kubectl([
        'wait',
        '--for=condition=Ready',
        'pod/web',
        '--timeout=60s',
      ]);
    });

    it('gives a pod its name as hostname, its volumes at their paths and a private /tmp', async () => {
      expect(await exec('web', 'hostname; cat /etc/hostname')).toBe(
        'web\nweb\n',
      );
      expect(
        await exec('web', 'cat /etc/app/app.conf /etc/password/password'),
      ).toBe('colour=blue\ns3cret');
      expect(
        (
          await cluster.kubectl([
            '-n',
            NAMESPACE,
            'exec',
            'web',
            '--',
            'sh',
            '-c',
            'echo x > /etc/app/new',
          ])
        ).code,
      ).not.toBe(0);
      const local = path.join(scratch, 'note.txt');
      writeFileSync(local, 'copied in\n');
      const name = `cairn-isolation-${process.pid}.txt`;
      await kubectl(['cp', local, `web:/tmp/${name}`]);
      expect(await exec('web', `cat /tmp/${name}`)).toBe('copied in\n');
      expect(existsSync(path.join('/tmp', name))).toBe(false);
    });

    it("runs kubectl exec -it in the container's namespaces, on a terminal of its own", async () => {
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'writer' },
          spec: {
            containers: [
              {
                name: 'writer',
                image: 'registry.example/writer:1',
                command: [
                  'sh',
                  '-c',
                  // $$$$: Kubernetes' expansion makes it the shell's $$.
                  'echo written > /tmp/by-main; echo $$$$ > /tmp/main.pid; exec sleep 600',
                ],
              },
            ],
          },
        }),
      );
      await kubectl([
        'wait',
        '--for=condition=Ready',
        'pod/writer',
        '--timeout=60s',
      ]);
      // `script` gives kubectl the terminal a user's would be; its shell
      // expands no $ of inPod, escaped for it.
      const inPod = [
        'cat /tmp/by-main',
        'hostname',
        // The main process's PID as it saw it names it here: one PID namespace.
        `tr '\\0' ' ' < /proc/\\$(cat /tmp/main.pid)/cmdline`,
        'echo',
        'tty',
        'exit 5',
      ].join('; ');
      const result = await new Promise<{ code: number; stdout: string }>(
        resolve => {
          execFile(
            'script',
            [
              '-qec',
              `kubectl --kubeconfig ${cluster.kubeconfigPath} -n ${NAMESPACE} exec -it writer -- sh -c "${inPod}"`,
              '/dev/null',
            ],
            (error, stdout) =>
              resolve({
                code: error
                  ? Number((error as { code?: number }).code ?? 1)
                  : 0,
                stdout,
              }),
          );
        },
      );
      expect(result.stdout).toMatch(
        /written\r\nwriter\r\nsleep 600 \r\n\/dev\/pts\/\d+\r\n/,
      );
      expect(result.code).toBe(5);
    });

    it("mounts the ServiceAccount's token where loadFromCluster() finds it", async () => {
      expect(
        await exec('web', 'ls /var/run/secrets/kubernetes.io/serviceaccount'),
      ).toBe('ca.crt\nnamespace\ntoken\n');
      const script = `
        const k8s = require(${JSON.stringify(CLIENT_NODE)});
        const kc = new k8s.KubeConfig();
        kc.loadFromCluster();
        kc.makeApiClient(k8s.AuthenticationV1Api)
          .createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } })
          .then(r => console.log(r.status.userInfo.username), e => { console.error(e); process.exit(1); });
      `;
      expect(await kubectl(['exec', 'web', '--', 'node', '-e', script])).toBe(
        `system:serviceaccount:${NAMESPACE}:default\n`,
      );
      // The token is bound to the pod, as the kubelet's TokenRequest is.
      const token = await exec(
        'web',
        'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
      );
      const claims = JSON.parse(
        Buffer.from(token.split('.')[1], 'base64url').toString(),
      );
      expect(claims['kubernetes.io'].pod.name).toBe('web');
      const kc = new KubeConfig();
      kc.loadFromString(cluster.kubeconfig);
      kc.users[0] = { name: kc.users[0].name, token } as any;
      const review = await kc
        .makeApiClient(AuthenticationV1Api)
        .createSelfSubjectReview({
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'SelfSubjectReview',
          },
        });
      expect(review.status?.userInfo?.username).toBe(
        `system:serviceaccount:${NAMESPACE}:default`,
      );
    });

    it('gives a pod its own loopback IP, which answers and which probes use', async () => {
      const pod = JSON.parse(
        await kubectl(['get', 'pod', 'web', '-o', 'json']),
      );
      expect(pod.status.podIP).toMatch(/^127\./);
      const response = await fetch(`http://${pod.status.podIP}:8080/`);
      expect(await response.text()).toBe('web');
    });

    it('says so in an event when a second pod declares a port the first holds', async () => {
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'web-2' },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'registry.example/web:1',
                command: [
                  'node',
                  '-e',
                  "require('http').createServer(() => {}).listen(8080)",
                ],
                ports: [{ containerPort: 8080 }],
              },
            ],
          },
        }),
      );
      const portInUse = () =>
        kubectl([
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=web-2,reason=PortInUse',
          '-o',
          'jsonpath={.items[*].message}',
        ]);
      let events = await portInUse();
      while (!events) {
        await new Promise(resolve => setTimeout(resolve, 200));
        events = await portInUse();
      }
      expect(events).toContain('address already in use');
    });
  });
});

import { startTestCluster, TestCluster } from './testing';

/*
 * What kubelets and the service controllers do for pods, as kubectl sees it:
 * node admission of pods bound past the scheduler, service environment
 * variables, and the EndpointSlices `kubectl describe service` reads.
 */

jest.setTimeout(120_000);

const NAMESPACE = 'svc';

/** Polls `read` until it returns something, for at most a minute. */
async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('pods and services on the dev cluster', () => {
  let cluster: TestCluster;

  const getJson = async (...args: string[]) =>
    JSON.parse(
      (await cluster.kubectl(['-n', NAMESPACE, 'get', ...args, '-o', 'json']))
        .stdout,
    );

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.kubectl(['create', 'namespace', NAMESPACE]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('fails a pod bound to a node without room for it with OutOfcpu, as the kubelet does', async () => {
    const nodes = await getJson('nodes');
    const node = nodes.items.at(-1).metadata.name;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'too-big', namespace: NAMESPACE },
      spec: {
        nodeName: node,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            resources: { requests: { cpu: '100' } },
          },
        ],
      },
    };
    await cluster.kubectl(['create', '-f', '-'], JSON.stringify(pod));
    const failed = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      '--for=jsonpath={.status.phase}=Failed',
      'pod/too-big',
      '--timeout=60s',
    ]);
    expect(failed.code).toBe(0);
    const status = (await getJson('pod', 'too-big')).status;
    expect(status).toMatchObject({
      phase: 'Failed',
      reason: 'OutOfcpu',
      message:
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 100000, used: 0, capacity: 7800",
    });
    const table = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'get',
      'pod',
      'too-big',
      '--no-headers',
    ]);
    expect(table.stdout).toMatch(/^too-big\s+0\/1\s+OutOfcpu\s+0\s/);
    const event = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=too-big,reason=OutOfcpu',
      '-o',
      'jsonpath={.items[0].type}',
    ]);
    expect(event.stdout).toBe('Warning');
  });

  it('gives containers the variables of the services that exist when they start', async () => {
    await cluster.kubectl([
      '-n',
      NAMESPACE,
      'create',
      'service',
      'clusterip',
      'web-api',
      '--tcp=80:8080',
    ]);
    const ip = (await getJson('service', 'web-api')).spec.clusterIP;
    const apiIp = (
      await cluster.kubectl([
        '-n',
        'default',
        'get',
        'service',
        'kubernetes',
        '-o',
        'jsonpath={.spec.clusterIP}',
      ])
    ).stdout;
    // KUBERNETES_SERVICE_HOST/PORT name the API server itself, which in-cluster clients reach.
    const api = new URL(cluster.url);
    const envOf = async (name: string, enableServiceLinks: boolean) => {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: NAMESPACE },
        spec: {
          restartPolicy: 'Never',
          enableServiceLinks,
          containers: [{ name: 'c', image: 'busybox', command: ['env'] }],
        },
      };
      await cluster.kubectl(['create', '-f', '-'], JSON.stringify(pod));
      await cluster.kubectl([
        '-n',
        NAMESPACE,
        'wait',
        '--for=jsonpath={.status.phase}=Succeeded',
        `pod/${name}`,
        '--timeout=60s',
      ]);
      return (
        await cluster.kubectl(['-n', NAMESPACE, 'logs', name])
      ).stdout.split('\n');
    };

    const linked = await envOf('with-links', true);
    expect(linked).toEqual(
      expect.arrayContaining([
        `WEB_API_SERVICE_HOST=${ip}`,
        'WEB_API_SERVICE_PORT=80',
        'WEB_API_SERVICE_PORT_80_8080=80',
        `WEB_API_PORT=tcp://${ip}:80`,
        `WEB_API_PORT_80_TCP=tcp://${ip}:80`,
        'WEB_API_PORT_80_TCP_PROTO=tcp',
        'WEB_API_PORT_80_TCP_PORT=80',
        `WEB_API_PORT_80_TCP_ADDR=${ip}`,
        `KUBERNETES_SERVICE_HOST=${api.hostname}`,
        `KUBERNETES_SERVICE_PORT=${api.port}`,
        `KUBERNETES_SERVICE_PORT_HTTPS=${api.port}`,
        `KUBERNETES_PORT=tcp://${apiIp}:443`,
      ]),
    );
    const unlinked = await envOf('without-links', false);
    expect(unlinked).toContain(`KUBERNETES_SERVICE_HOST=${api.hostname}`);
    expect(unlinked.filter(line => line.startsWith('WEB_API_'))).toEqual([]);
  });

  it('keeps EndpointSlices of a service in step with its ready pods', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: NAMESPACE, labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'busybox',
            ports: [{ name: 'http', containerPort: 8080 }],
          },
        ],
      },
    };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'web',
        namespace: NAMESPACE,
        labels: { tier: 'front' },
      },
      spec: {
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    };
    await cluster.kubectl(['create', '-f', '-'], JSON.stringify(service));
    await cluster.kubectl(['create', '-f', '-'], JSON.stringify(pod));
    await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      '--for=condition=Ready',
      'pod/web-1',
      '--timeout=60s',
    ]);
    const running = await getJson('pod', 'web-1');
    const zone = (await getJson('node', running.spec.nodeName)).metadata.labels[
      'topology.kubernetes.io/zone'
    ];
    const serviceUid = (await getJson('service', 'web')).metadata.uid;
    const slicesOf = async () =>
      (await getJson('endpointslices', '-l', 'kubernetes.io/service-name=web'))
        .items;

    const [slice] = await eventually(async () => {
      const slices = await slicesOf();
      return slices[0]?.endpoints?.length ? slices : undefined;
    });
    expect(slice).toMatchObject({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: expect.stringMatching(/^web-[a-z0-9]{5}$/),
        labels: {
          tier: 'front',
          'kubernetes.io/service-name': 'web',
          'endpointslice.kubernetes.io/managed-by':
            'endpointslice-controller.k8s.io',
        },
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            name: 'web',
            uid: serviceUid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [
        {
          addresses: [running.status.podIP],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: running.spec.nodeName,
          zone,
          targetRef: {
            kind: 'Pod',
            namespace: NAMESPACE,
            name: 'web-1',
            uid: running.metadata.uid,
          },
        },
      ],
    });
    const table = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'get',
      'endpointslices',
      '--no-headers',
    ]);
    expect(table.stdout).toMatch(
      new RegExp(
        `^${slice.metadata.name}\\s+IPv4\\s+8080\\s+${running.status.podIP}\\s+\\S+$`,
        'm',
      ),
    );
    const described = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'describe',
      'service',
      'web',
    ]);
    expect(described.stdout).toMatch(
      new RegExp(`\\nEndpoints:\\s+${running.status.podIP}:8080\\n`),
    );

    await cluster.kubectl(['-n', NAMESPACE, 'delete', 'pod', 'web-1']);
    const [emptied] = await eventually(async () => {
      const slices = await slicesOf();
      return slices.length === 1 && !slices[0].endpoints ? slices : undefined;
    });
    // As the real reconciler does, an empty placeholder replaces the slice.
    expect(emptied.ports ?? null).toBeNull();

    const headless = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'create',
      'service',
      'clusterip',
      'web-headless',
      '--clusterip=None',
    ]);
    expect(headless.code).toBe(0);
    const [headlessSlice] = await eventually(async () => {
      const slices = (
        await getJson(
          'endpointslices',
          '-l',
          'kubernetes.io/service-name=web-headless',
        )
      ).items;
      return slices.length ? slices : undefined;
    });
    expect(headlessSlice.metadata.labels).toMatchObject({
      'service.kubernetes.io/headless': '',
    });

    await cluster.kubectl(['-n', NAMESPACE, 'delete', 'service', 'web']);
    await eventually(async () =>
      (await slicesOf()).length === 0 ? true : undefined,
    );
    expect(
      (await cluster.kubectl(['-n', NAMESPACE, 'get', 'endpoints', 'web']))
        .stderr,
    ).toBe('Error from server (NotFound): endpoints "web" not found\n');
  });
});

import { startTestCluster, TestCluster } from './testing';

/*
 * Pods placed by the scheduler and run by the kubelets, as kubectl sees them.
 */

jest.setTimeout(60_000);

describe('workloads on the dev cluster', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.kubectl(['create', 'namespace', 'run']);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('registers the default topology as Ready nodes', async () => {
    const nodes = JSON.parse(
      (await cluster.kubectl(['get', 'nodes', '-o', 'json'])).stdout,
    ).items;
    expect(nodes).toHaveLength(18);
    expect(nodes[0].metadata.labels).toMatchObject({
      'topology.kubernetes.io/zone': expect.any(String),
      'kubernetes.io/hostname': nodes[0].metadata.name,
    });
    const table = await cluster.kubectl(['get', 'nodes', '--no-headers']);
    expect(
      table.stdout
        .trim()
        .split('\n')
        .every(line => /^\S+\s+Ready\s/.test(line)),
    ).toBe(true);
  });

  it('schedules a pod, runs its command and serves its log', async () => {
    const created = await cluster.kubectl([
      '-n',
      'run',
      'run',
      'hello',
      '--image=busybox',
      '--restart=Never',
      '--command',
      '--',
      'sh',
      '-c',
      'echo hello; echo world',
    ]);
    expect(created.stdout).toBe('pod/hello created\n');
    const done = await cluster.kubectl([
      '-n',
      'run',
      'wait',
      '--for=jsonpath={.status.phase}=Succeeded',
      'pod/hello',
      '--timeout=30s',
    ]);
    expect(done.stdout).toBe('pod/hello condition met\n');
    expect((await cluster.kubectl(['-n', 'run', 'logs', 'hello'])).stdout).toBe(
      'hello\nworld\n',
    );
    expect(
      (await cluster.kubectl(['-n', 'run', 'logs', 'hello', '--tail=1']))
        .stdout,
    ).toBe('world\n');
    const pod = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'run',
          'get',
          'pod',
          'hello',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(pod.spec.nodeName).toMatch(/^node-/);
    expect(pod.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    );
    const events = await cluster.kubectl([
      '-n',
      'run',
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=hello,reason=Scheduled',
      '-o',
      'jsonpath={.items[0].message}',
    ]);
    expect(events.stdout).toBe(
      `Successfully assigned run/hello to ${pod.spec.nodeName}`,
    );
    // kubectl describe decodes events with client-go's types (eventTime is a MicroTime).
    const describe = await cluster.kubectl([
      '-n',
      'run',
      'describe',
      'pod',
      'hello',
    ]);
    expect(describe.stdout).toMatch(
      /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned run\/hello to node-/,
    );
    expect(describe.stdout).toMatch(
      /Normal\s+Started\s+\S+\s+kubelet\s+Started container hello/,
    );
  });

  it('keeps a pod no node fits Pending with PodScheduled=False and a FailedScheduling event', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nowhere', namespace: 'run' },
      spec: {
        nodeSelector: { disk: 'ssd' },
        containers: [{ name: 'c', image: 'busybox' }],
      },
    };
    await cluster.kubectl(['create', '-f', '-'], JSON.stringify(pod));
    const waited = await cluster.kubectl([
      '-n',
      'run',
      'wait',
      '--for=condition=PodScheduled=False',
      'pod/nowhere',
      '--timeout=30s',
    ]);
    expect(waited.code).toBe(0);
    const status = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'run',
          'get',
          'pod',
          'nowhere',
          '-o',
          'json',
        ])
      ).stdout,
    ).status;
    expect(status.phase).toBe('Pending');
    expect(status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: expect.stringMatching(
          /^0\/18 nodes are available: 18 node\(s\) didn't match Pod's node affinity\/selector\./,
        ),
      }),
    );
    const event = await cluster.kubectl([
      '-n',
      'run',
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=nowhere',
      '-o',
      'jsonpath={.items[0].reason}',
    ]);
    expect(event.stdout).toBe('FailedScheduling');
  });

  it('executes commands in a running container over the WebSocket protocol', async () => {
    await cluster.kubectl([
      '-n',
      'run',
      'run',
      'shell',
      '--image=busybox',
      '--command',
      '--',
      'sleep',
      '3600',
    ]);
    await cluster.kubectl([
      '-n',
      'run',
      'wait',
      '--for=condition=Ready',
      'pod/shell',
      '--timeout=30s',
    ]);
    const exec = await cluster.kubectl([
      '-n',
      'run',
      'exec',
      'shell',
      '--',
      'sh',
      '-c',
      'echo out; exit 3',
    ]);
    expect(exec.stdout).toBe('out\n');
    expect(exec.code).toBe(3);
    expect(exec.stderr).toBe('command terminated with exit code 3\n');
    const piped = await cluster.kubectl(
      ['-n', 'run', 'exec', '-i', 'shell', '--', 'cat'],
      'from stdin\n',
    );
    expect(piped.stdout).toBe('from stdin\n');
    const wrong = await cluster.kubectl([
      '-n',
      'run',
      'exec',
      'shell',
      '-c',
      'nope',
      '--',
      'true',
    ]);
    expect(wrong.stderr).toBe(
      'Error from server (BadRequest): container nope is not valid for pod shell\n',
    );
  });

  it('rolls deployments out, back and away as kubectl rollout expects', async () => {
    await cluster.kubectl([
      '-n',
      'run',
      'create',
      'deployment',
      'web',
      '--image=busybox',
      '--replicas=3',
      '--',
      'sleep',
      '3600',
    ]);
    expect(
      (
        await cluster.kubectl([
          '-n',
          'run',
          'rollout',
          'status',
          'deploy/web',
          '--timeout=30s',
        ])
      ).stdout,
    ).toContain('deployment "web" successfully rolled out');
    const pods = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'run',
          'get',
          'pods',
          '-l',
          'app=web',
          '-o',
          'json',
        ])
      ).stdout,
    ).items;
    expect(pods).toHaveLength(3);
    expect(
      pods.every(
        (p: any) =>
          p.metadata.ownerReferences[0].kind === 'ReplicaSet' &&
          p.status.phase === 'Running',
      ),
    ).toBe(true);

    await cluster.kubectl([
      '-n',
      'run',
      'set',
      'image',
      'deploy/web',
      'busybox=busybox:1.36',
    ]);
    await cluster.kubectl([
      '-n',
      'run',
      'rollout',
      'status',
      'deploy/web',
      '--timeout=30s',
    ]);
    expect(
      (await cluster.kubectl(['-n', 'run', 'rollout', 'undo', 'deploy/web']))
        .stdout,
    ).toBe('deployment.apps/web rolled back\n');
    await cluster.kubectl([
      '-n',
      'run',
      'rollout',
      'status',
      'deploy/web',
      '--timeout=30s',
    ]);
    const history = await cluster.kubectl([
      '-n',
      'run',
      'rollout',
      'history',
      'deploy/web',
    ]);
    expect(
      history.stdout
        .split('\n')
        .slice(1, 4)
        .map(l => l.trim().split(/\s+/)[0]),
    ).toEqual(['REVISION', '2', '3']);
    const replicaSets = JSON.parse(
      (await cluster.kubectl(['-n', 'run', 'get', 'rs', '-o', 'json'])).stdout,
    ).items;
    expect(replicaSets.map((rs: any) => rs.spec.replicas).sort()).toEqual([
      0, 3,
    ]);

    // The endpoints controller lists the ready pods behind a service.
    await cluster.kubectl([
      '-n',
      'run',
      'expose',
      'deployment',
      'web',
      '--port=80',
      '--target-port=8080',
    ]);
    await cluster.kubectl([
      '-n',
      'run',
      'wait',
      '--for=jsonpath={.subsets[0].ports[0].port}=8080',
      'endpoints/web',
      '--timeout=20s',
    ]);
    const endpoints = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'run',
          'get',
          'endpoints',
          'web',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(endpoints.subsets[0].addresses).toHaveLength(3);

    await cluster.kubectl(['-n', 'run', 'delete', 'deployment', 'web']);
    const left = await cluster.kubectl([
      '-n',
      'run',
      'wait',
      '--for=delete',
      'pod',
      '-l',
      'app=web',
      '--timeout=30s',
    ]);
    expect(left.code).toBe(0);
  });

  it('deletes a running pod gracefully through its kubelet', async () => {
    await cluster.kubectl([
      '-n',
      'run',
      'run',
      'sleeper',
      '--image=busybox',
      '--command',
      '--',
      'sleep',
      '3600',
    ]);
    await cluster.kubectl([
      '-n',
      'run',
      'wait',
      '--for=condition=Ready',
      'pod/sleeper',
      '--timeout=30s',
    ]);
    const deleted = await cluster.kubectl([
      '-n',
      'run',
      'delete',
      'pod',
      'sleeper',
      '--timeout=30s',
    ]);
    expect(deleted.stdout).toBe('pod "sleeper" deleted\n');
    expect(
      (await cluster.kubectl(['-n', 'run', 'get', 'pod', 'sleeper'])).stderr,
    ).toBe('Error from server (NotFound): pods "sleeper" not found\n');
  });
});

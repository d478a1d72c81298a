import { startTestCluster, TestCluster } from './testing';

/* Ephemeral containers: `kubectl debug` on a running pod, as on a real cluster. */

jest.setTimeout(90_000);

async function waitFor<T>(
  read: () => Promise<T | undefined>,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

describe('ephemeral containers', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.kubectl([
      'run',
      'app',
      '--image=registry.example/app:1',
      '--',
      'sh',
      '-c',
      'while true; do sleep 1; done',
    ]);
    await waitFor(async () => {
      const phase = await cluster.kubectl([
        'get',
        'pod',
        'app',
        '-o',
        'jsonpath={.status.phase}',
      ]);
      return phase.stdout === 'Running' ? true : undefined;
    }, 'the pod to run');
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('adds a debug container to a running pod and runs it', async () => {
    const debug = await cluster.kubectl([
      'debug',
      'app',
      '--image=busybox:1.36',
      '--container=debugger',
      '--profile=general',
      '--',
      'sh',
      '-c',
      'echo hello from the debugger',
    ]);
    expect(debug.code).toBe(0);

    const state = await waitFor(async () => {
      const pod = JSON.parse(
        (await cluster.kubectl(['get', 'pod', 'app', '-o', 'json'])).stdout,
      );
      return pod.status.ephemeralContainerStatuses?.[0]?.state?.terminated;
    }, 'the debug container to finish');
    expect(state).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const logs = await cluster.kubectl(['logs', 'app', '-c', 'debugger']);
    expect(logs.stdout).toBe('hello from the debugger\n');
  });

  it('refuses ephemeral containers through an update of the pod itself', async () => {
    const pod = JSON.parse(
      (await cluster.kubectl(['get', 'pod', 'app', '-o', 'json'])).stdout,
    );
    pod.spec.ephemeralContainers = [
      ...(pod.spec.ephemeralContainers ?? []),
      { name: 'sneaky', image: 'busybox:1.36' },
    ];
    const replace = await cluster.kubectl(
      ['replace', '-f', '-'],
      JSON.stringify(pod),
    );
    expect(replace.code).toBe(1);
    expect(replace.stderr).toContain(
      'The Pod "app" is invalid: spec: Forbidden: pod updates may not change fields other than',
    );
  });

  it('refuses to change or remove an ephemeral container once added', async () => {
    const pod = JSON.parse(
      (await cluster.kubectl(['get', 'pod', 'app', '-o', 'json'])).stdout,
    );
    const result = await cluster.kubectl(
      ['replace', '--subresource=ephemeralcontainers', '-f', '-'],
      JSON.stringify({
        ...pod,
        spec: { ...pod.spec, ephemeralContainers: [] },
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The Pod "app" is invalid');
    expect(result.stderr).toContain('spec.ephemeralContainers');
  });
});

import { CoreV1Api, CustomObjectsApi, V1Pod } from '@kubernetes/client-node';
import { Manager } from '@cairn/controller-runtime';
import {
  OperatorsTestCluster,
  startOperatorsTestCluster,
} from '@cairn/operators-testing';
import {
  DebugSession,
  DEFAULT_DEBUG_SESSION_CONFIG,
} from '@cairn/operators-api';
import { debugSessionController } from './debugSessionController';

/*
 * The DebugSession controller against the dev cluster, run by a manager
 * holding only operators/deploy's ServiceAccount token (a missing RBAC rule
 * fails here): a toolkit container in a running pod, a shell in it through
 * kubectl attach, the end at the TTL and on deletion, and a copy of a
 * crash-looping pod.
 */

jest.setTimeout(300_000);

const NAMESPACE = 'shop';

let operators: OperatorsTestCluster;
let kubectl: OperatorsTestCluster['kubectl'];
let waitFor: OperatorsTestCluster['waitFor'];
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: Manager;

beforeAll(async () => {
  operators = await startOperatorsTestCluster({
    established: ['crd/debugsessions.debug.cairn.dev'],
  });
  ({ kubectl, waitFor } = operators);
  await kubectl(['create', 'namespace', NAMESPACE]);
  core = operators.admin.makeApiClient(CoreV1Api);
  custom = operators.admin.makeApiClient(CustomObjectsApi);
  manager = await operators.startManager(
    debugSessionController({ config: DEFAULT_DEBUG_SESSION_CONFIG }),
  );

  await kubectl([
    'run',
    'web',
    '-n',
    NAMESPACE,
    '--image=registry.example/web:1',
    '--',
    'sh',
    '-c',
    'while true; do sleep 1; done',
  ]);
  await waitFor(
    () => readPod('web'),
    pod => pod?.status?.phase === 'Running',
    'pod web to run',
  );
});

afterAll(async () => {
  await manager?.stop();
  await operators?.dispose();
});

async function readPod(name: string): Promise<V1Pod | undefined> {
  try {
    return await core.readNamespacedPod({ namespace: NAMESPACE, name });
  } catch {
    return undefined;
  }
}

async function readSession(name: string): Promise<DebugSession | undefined> {
  try {
    return (await custom.getNamespacedCustomObject({
      group: 'debug.cairn.dev',
      version: 'v1alpha1',
      namespace: NAMESPACE,
      plural: 'debugsessions',
      name,
    })) as DebugSession;
  } catch {
    return undefined;
  }
}

async function createSession(
  name: string,
  spec: Partial<DebugSession['spec']>,
): Promise<DebugSession> {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'debug.cairn.dev/v1alpha1',
      kind: 'DebugSession',
      metadata: { name, namespace: NAMESPACE },
      spec: {
        podName: 'web',
        targetContainer: 'web',
        toolkit: 'busybox',
        requestedBy: 'user:default/dev',
        ...spec,
      },
    }),
  );
  return (await waitFor(
    () => readSession(name),
    s => s?.status?.phase !== undefined && s.status.phase !== 'Pending',
    `session ${name} to leave Pending`,
  ))!;
}

const debugStatus = (pod: V1Pod | undefined, name: string) =>
  pod?.status?.ephemeralContainerStatuses?.find(s => s.name === name);

describe('ephemeral mode', () => {
  it('adds the toolkit container to the pod, targeting the container, with the profile', async () => {
    const session = await createSession('netshoot', {
      toolkit: 'netshoot',
      ttlSeconds: 600,
    });
    expect(session.status).toMatchObject({
      phase: 'Active',
      containerName: expect.stringMatching(/^debugger-[0-9a-f]{10}$/),
      image: 'docker.io/nicolaka/netshoot:v0.13',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ContainerRunning' },
      ],
    });
    expect(
      Date.parse(session.status!.expiresAt!) -
        Date.parse(session.status!.startedAt!),
    ).toBe(600_000);
    expect(session.metadata.finalizers).toEqual([
      'debug.cairn.dev/end-session',
    ]);

    const pod = (await readPod('web'))!;
    const container = pod.spec!.ephemeralContainers!.find(
      c => c.name === session.status!.containerName,
    );
    expect(container).toMatchObject({
      image: 'docker.io/nicolaka/netshoot:v0.13',
      targetContainerName: 'web',
      stdin: true,
      tty: true,
      securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
    });
    expect(
      debugStatus(pod, session.status!.containerName!)?.state?.running,
    ).toBeDefined();

    const table = await kubectl(['get', 'dbg', 'netshoot', '-n', NAMESPACE]);
    const [header, row] = table.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual([
      'NAME',
      'PHASE',
      'POD',
      'TOOLKIT',
      'EXPIRES',
      'AGE',
    ]);
    expect(row.split(/\s+/).slice(0, 5)).toEqual([
      'netshoot',
      'Active',
      'web',
      'netshoot',
      session.status!.expiresAt!,
    ]);
    const events = await kubectl([
      'get',
      'events',
      '-n',
      NAMESPACE,
      '--field-selector',
      'involvedObject.kind=DebugSession,involvedObject.name=netshoot',
      '-o',
      'jsonpath={.items[*].reason}',
    ]);
    expect(events.split(' ')).toContain('Started');
  });

  it('gives a shell through kubectl attach; exiting it ends the session', async () => {
    const session = await createSession('shell', { ttlSeconds: 600 });
    expect(session.status!.phase).toBe('Active');
    const attached = await operators.cluster.kubectl(
      [
        'attach',
        'web',
        '-n',
        NAMESPACE,
        '-c',
        session.status!.containerName!,
        '-i',
      ],
      'echo hi\nexit\n',
    );
    expect(attached.stdout.split(/\r?\n/)).toContain('hi');
    const ended = await waitFor(
      () => readSession('shell'),
      s => s?.status?.phase === 'Ended',
      'the session to end',
    );
    expect(ended!.status!.conditions![0]).toMatchObject({
      reason: 'ContainerExited',
    });
  });

  it('ends the container at the TTL: Expired, the process gone', async () => {
    const session = await createSession('short', { ttlSeconds: 2 });
    const name = session.status!.containerName!;
    const expired = await waitFor(
      () => readSession('short'),
      s => s?.status?.phase === 'Expired',
      'the session to expire',
    );
    expect(expired!.status!.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'Expired',
    });
    const terminated = await waitFor(
      () => readPod('web'),
      pod => debugStatus(pod, name)?.state?.terminated !== undefined,
      'the debug container to end',
    );
    expect(debugStatus(terminated, name)!.state!.terminated).toMatchObject({
      exitCode: expect.any(Number),
    });
    // The target was left alone.
    expect(
      terminated!.status!.containerStatuses!.find(c => c.name === 'web')!.state!
        .running,
    ).toBeDefined();
    const warnings = await kubectl([
      'get',
      'events',
      '-n',
      NAMESPACE,
      '--field-selector',
      'involvedObject.name=short,type=Warning',
      '-o',
      'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
    ]);
    expect(warnings).toBe('');
  });

  it('ends the container when the session is deleted, then lets it go', async () => {
    const session = await createSession('deleted', { ttlSeconds: 600 });
    const name = session.status!.containerName!;
    await kubectl(['delete', 'debugsession', 'deleted', '-n', NAMESPACE]);
    expect(await readSession('deleted')).toBeUndefined();
    const pod = await waitFor(
      () => readPod('web'),
      p => debugStatus(p, name)?.state?.terminated !== undefined,
      'the debug container to end',
    );
    expect(debugStatus(pod, name)!.state!.terminated).toBeDefined();
  });

  it('does not follow a change of the spec to another pod: the session fails and ends where it started', async () => {
    await kubectl([
      'run',
      'other',
      '-n',
      NAMESPACE,
      '--image=registry.example/web:1',
      '--',
      'sleep',
      '1d',
    ]);
    await waitFor(
      () => readPod('other'),
      pod => pod?.status?.phase === 'Running',
      'pod other to run',
    );
    const session = await createSession('moved', { ttlSeconds: 600 });
    const name = session.status!.containerName!;
    await kubectl([
      'patch',
      'dbg',
      'moved',
      '-n',
      NAMESPACE,
      '--type=merge',
      '-p',
      '{"spec":{"podName":"other","targetContainer":"other","profile":"sysadmin"}}',
    ]);
    const failed = await waitFor(
      () => readSession('moved'),
      s => s?.status?.phase === 'Failed',
      'the session to fail',
    );
    expect(failed!.status).toMatchObject({
      podName: 'web',
      conditions: [{ reason: 'SpecChanged' }],
    });
    await waitFor(
      () => readPod('web'),
      pod => debugStatus(pod, name)?.state?.terminated !== undefined,
      'the debug container to end',
    );
    expect((await readPod('other'))!.spec!.ephemeralContainers).toBeUndefined();
  });

  it('fails a session naming a container the pod does not have', async () => {
    const session = await createSession('wrong', { targetContainer: 'db' });
    expect(session.status).toMatchObject({
      phase: 'Failed',
      conditions: [
        {
          reason: 'TargetNotFound',
          message: 'pod "web" has no container "db" (it has web)',
        },
      ],
    });
  });
});

describe('copy mode', () => {
  it('copies a crash-looping pod into a running one without probes, and deletes it with the session', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'crashy',
          namespace: NAMESPACE,
          labels: { app: 'crashy' },
        },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example/crashy:1',
              command: ['sh', '-c', 'echo starting; exit 1'],
              readinessProbe: { exec: { command: ['true'] } },
              livenessProbe: { exec: { command: ['true'] } },
            },
          ],
        },
      }),
    );
    await waitFor(
      () => readPod('crashy'),
      pod => (pod?.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0,
      'crashy to crash and restart',
    );

    const session = await createSession('copy', {
      podName: 'crashy',
      targetContainer: 'app',
      mode: 'copy',
    });
    expect(session.status).toMatchObject({
      phase: 'Active',
      copyPodName: expect.stringMatching(/^crashy-debug-[0-9a-f]{5}$/),
    });
    const copy = (await readPod(session.status!.copyPodName!))!;
    expect(copy.status!.phase).toBe('Running');
    expect(copy.metadata!.labels).toEqual({
      'debug.cairn.dev/session': 'copy',
    });
    expect(copy.metadata!.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'DebugSession',
        name: 'copy',
        uid: session.metadata.uid,
        controller: true,
      }),
    ]);
    const app = copy.spec!.containers.find(c => c.name === 'app')!;
    expect(app.command).toEqual(['sh', '-c', 'while true; do sleep 30; done']);
    expect(app.readinessProbe).toBeUndefined();
    expect(app.livenessProbe).toBeUndefined();
    expect(
      copy.status!.containerStatuses!.map(c => [c.name, !!c.state!.running]),
    ).toEqual(
      expect.arrayContaining([
        ['app', true],
        [session.status!.containerName, true],
      ]),
    );
    const endpoints = await kubectl([
      'get',
      'pods',
      '-n',
      NAMESPACE,
      '-l',
      'app=crashy',
      '-o',
      'name',
    ]);
    expect(endpoints.trim()).toBe('pod/crashy');

    await kubectl(['delete', 'debugsession', 'copy', '-n', NAMESPACE]);
    await waitFor(
      () => readPod(session.status!.copyPodName!),
      pod => pod === undefined,
      'the copy to go',
    );
  });
});

describe('refusals', () => {
  it('fails a session whose copy the API server refuses (exceeded quota), with its message', async () => {
    await kubectl(['create', 'namespace', 'full']);
    await kubectl(['create', 'quota', 'pods', '-n', 'full', '--hard=pods=1']);
    await kubectl([
      'run',
      'only',
      '-n',
      'full',
      '--image=registry.example/web:1',
      '--',
      'sleep',
      '1d',
    ]);
    await waitFor(
      () =>
        kubectl([
          'get',
          'quota',
          'pods',
          '-n',
          'full',
          '-o',
          'jsonpath={.status.used.pods}',
        ]),
      used => used === '1',
      'the quota to count the pod',
    );
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'debug.cairn.dev/v1alpha1',
        kind: 'DebugSession',
        metadata: { name: 'copy', namespace: 'full' },
        spec: {
          podName: 'only',
          targetContainer: 'only',
          toolkit: 'busybox',
          mode: 'copy',
        },
      }),
    );
    const failed = await waitFor(
      async () =>
        JSON.parse(
          await kubectl(['get', 'dbg', 'copy', '-n', 'full', '-o', 'json']),
        ) as DebugSession,
      s => s.status?.phase === 'Failed',
      'the session to fail',
    );
    expect(failed.status!.conditions![0]).toMatchObject({
      reason: 'Refused',
      message: expect.stringContaining('exceeded quota: pods'),
    });
  });

  it.each([
    [
      'an unknown profile',
      { profile: 'legacy' },
      'spec.profile: Unsupported value: "legacy"',
    ],
    [
      'an unknown mode',
      { mode: 'fork' },
      'spec.mode: Unsupported value: "fork"',
    ],
    ['a TTL of 0', { ttlSeconds: 0 }, 'spec.ttlSeconds: Invalid value: 0'],
    [
      'an image with spaces',
      { toolkit: undefined, image: 'busy box' },
      'spec.image: Invalid value: "busy box"',
    ],
  ])('the CRD refuses %s with the field', async (_what, spec, message) => {
    const result = await operators.cluster.kubectl(
      ['apply', '--dry-run=server', '-f', '-'],
      JSON.stringify({
        apiVersion: 'debug.cairn.dev/v1alpha1',
        kind: 'DebugSession',
        metadata: { name: 'invalid', namespace: NAMESPACE },
        spec: {
          podName: 'web',
          targetContainer: 'web',
          toolkit: 'busybox',
          ...spec,
        },
      }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
